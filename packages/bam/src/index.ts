import { registerAttention } from '@attnkit/core';
import { bam } from './bottleneck-attention.js';

export { bam, type BamOptions } from './bottleneck-attention.js';

registerAttention(bam);
