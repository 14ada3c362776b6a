import { registerAttention } from '@attnkit/core';
import { simam } from './simam.js';

export { simam, type SimamOptions } from './simam.js';

registerAttention(simam);
