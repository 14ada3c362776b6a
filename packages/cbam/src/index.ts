import { registerAttention } from '@attnkit/core';
import { cbam } from './cbam.js';

export { cbam, type CbamOptions } from './cbam.js';

registerAttention(cbam);
