import { registerAttention } from '@attnkit/core';
import { gc, type GlobalContextOptions } from './global-context.js';

export { gc, type GlobalContextOptions } from './global-context.js';

registerAttention(gc);

declare module '@attnkit/core' {
  interface AttentionTypes {
    gc: GlobalContextOptions;
  }
}
