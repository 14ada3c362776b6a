import { registerAttention } from '@attnkit/core';
import { ese, type EseOptions } from './effective-squeeze-excite.js';

export { ese, type EseOptions } from './effective-squeeze-excite.js';

registerAttention(ese);

declare module '@attnkit/core' {
  interface AttentionTypes {
    ese: EseOptions;
  }
}
