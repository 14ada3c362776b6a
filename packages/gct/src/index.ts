import { registerAttention } from '@attnkit/core';
import { gct, type GctOptions } from './gated-channel-transformation.js';

export { gct, type GctOptions } from './gated-channel-transformation.js';

registerAttention(gct);

declare module '@attnkit/core' {
  interface AttentionTypes {
    gct: GctOptions;
  }
}
