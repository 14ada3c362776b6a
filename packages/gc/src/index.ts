import { registerAttention } from '@attnkit/core';
import { gc } from './global-context.js';

export { gc, type GlobalContextOptions } from './global-context.js';

registerAttention(gc);
