import { registerAttention } from '@attnkit/core';
import { ge } from './gather-excite.js';

export { ge, type GatherExciteOptions } from './gather-excite.js';

registerAttention(ge);
