import { registerAttention } from '@attnkit/core';
import { ge, type GatherExciteOptions } from './gather-excite.js';

export { ge, type GatherExciteOptions } from './gather-excite.js';

registerAttention(ge);

declare module '@attnkit/core' {
  interface AttentionTypes {
    ge: GatherExciteOptions;
  }
}
