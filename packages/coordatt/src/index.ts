import { registerAttention } from '@attnkit/core';
import { coordatt } from './coordinate-attention.js';

export { coordatt, type CoordAttOptions } from './coordinate-attention.js';

registerAttention(coordatt);
