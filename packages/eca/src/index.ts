import { registerAttention } from '@attnkit/core';
import { ceca, eca, ecaNs } from './eca.js';
import { seVar1, seVar2, seVar3 } from './se-variants.js';

export { ceca, channelConvWeight, configureKernel, eca, ecaNs, type EcaOptions } from './eca.js';
export { seVar1, seVar2, seVar3 } from './se-variants.js';

for (const definition of [eca, ceca, ecaNs, seVar1, seVar2, seVar3]) registerAttention(definition);
