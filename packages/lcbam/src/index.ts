import { registerAttention } from '@attnkit/core';
import { lcbam } from './light-cbam.js';

export { lcbam, type LightCbamOptions } from './light-cbam.js';

registerAttention(lcbam);
