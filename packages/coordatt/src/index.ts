import { registerAttention } from '@attnkit/core';
import { coordatt, type CoordAttOptions } from './coordinate-attention.js';

export { coordatt, type CoordAttOptions } from './coordinate-attention.js';

registerAttention(coordatt);

declare module '@attnkit/core' {
  interface AttentionTypes {
    coordatt: CoordAttOptions;
  }
}
