import { registerAttention } from '@attnkit/core';
import { ese } from './effective-squeeze-excite.js';

export { ese, type EseOptions } from './effective-squeeze-excite.js';

registerAttention(ese);
