import { registerAttention } from '@attnkit/core';
import { se, type SeOptions } from './squeeze-excite.js';

export { linearParams, reducedChannels, se, type SeOptions } from './squeeze-excite.js';

registerAttention(se);

declare module '@attnkit/core' {
  interface AttentionTypes {
    se: SeOptions;
  }
}
