import { registerAttention } from '@attnkit/core';
import { bam, type BamOptions } from './bottleneck-attention.js';

export { bam, type BamOptions } from './bottleneck-attention.js';

registerAttention(bam);

declare module '@attnkit/core' {
  interface AttentionTypes {
    bam: BamOptions;
  }
}
