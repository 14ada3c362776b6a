import { registerAttention } from '@attnkit/core';
import { lcbam, type LightCbamOptions } from './light-cbam.js';

export { lcbam, type LightCbamOptions } from './light-cbam.js';

registerAttention(lcbam);

declare module '@attnkit/core' {
  interface AttentionTypes {
    lcbam: LightCbamOptions;
  }
}
