import { registerAttention } from '@attnkit/core';
import { ecam, type EcaMlpOptions } from './eca-mlp.js';

export { ecam, type EcaMlpOptions } from './eca-mlp.js';

registerAttention(ecam);

declare module '@attnkit/core' {
  interface AttentionTypes {
    ecam: EcaMlpOptions;
  }
}
