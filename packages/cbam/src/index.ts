import { registerAttention } from '@attnkit/core';
import { cbam, type CbamOptions } from './cbam.js';

export { cbam, type CbamOptions } from './cbam.js';

registerAttention(cbam);

declare module '@attnkit/core' {
  interface AttentionTypes {
    cbam: CbamOptions;
  }
}
