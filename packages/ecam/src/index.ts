import { registerAttention } from '@attnkit/core';
import { ecam } from './eca-mlp.js';

export { ecam, type EcaMlpOptions } from './eca-mlp.js';

registerAttention(ecam);
