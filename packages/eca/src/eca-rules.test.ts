import { expectPyTorchDefaultInit } from '@attnkit/tools/init-rules';
import { describe, it } from 'vitest';
import './index.js';

describe('eca family: seeded init follows nn.Conv1d / nn.Linear defaults', () => {
  // ECA's Conv1d(1, 1, k): fan_in = k, U(-1/sqrt(k), 1/sqrt(k)); ECA-NS's Conv1d(C, C, k, groups=C):
  // fan_in = k as well; SE-Var3's Linear(C, C): fan_in = C.
  it.each(['eca', 'ceca', 'eca-ns', 'se-var1', 'se-var2', 'se-var3'])('%s at C = 256', (id) => expectPyTorchDefaultInit(id, 256));
});
