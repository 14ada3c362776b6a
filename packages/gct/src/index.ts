import { registerAttention } from '@attnkit/core';
import { gct } from './gated-channel-transformation.js';

export { gct, type GctOptions } from './gated-channel-transformation.js';

registerAttention(gct);
