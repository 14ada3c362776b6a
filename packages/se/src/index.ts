import { registerAttention } from '@attnkit/core';
import { se } from './squeeze-excite.js';

export { linearParams, reducedChannels, se, type SeOptions } from './squeeze-excite.js';

registerAttention(se);
