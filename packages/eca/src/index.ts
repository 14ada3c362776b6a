import { type AttentionOptions, registerAttention } from '@attnkit/core';
import { ceca, eca, type EcaOptions, ecaNs } from './eca.js';
import { seVar1, seVar2, seVar3 } from './se-variants.js';

export { ceca, channelConvWeight, configureKernel, eca, ecaNs, type EcaOptions } from './eca.js';
export { seVar1, seVar2, seVar3 } from './se-variants.js';

for (const definition of [eca, ceca, ecaNs, seVar1, seVar2, seVar3]) registerAttention(definition);

declare module '@attnkit/core' {
  interface AttentionTypes {
    eca: EcaOptions;
    ceca: EcaOptions;
    'eca-ns': EcaOptions;
    'se-var1': AttentionOptions<typeof seVar1>;
    'se-var2': AttentionOptions<typeof seVar2>;
    'se-var3': AttentionOptions<typeof seVar3>;
  }
}
