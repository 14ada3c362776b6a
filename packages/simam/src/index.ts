import { registerAttention } from '@attnkit/core';
import { simam, type SimamOptions } from './simam.js';

export { simam, type SimamOptions } from './simam.js';

registerAttention(simam);

declare module '@attnkit/core' {
  interface AttentionTypes {
    simam: SimamOptions;
  }
}
