import '@attnkit/eca';
import { describe, expect, it } from 'vitest';
import { parseBenchConfig } from './bench-config.js';
import { checkBenchConfigLimits } from './bench-config-limits.js';

const config = (fields: Record<string, unknown>) =>
  parseBenchConfig({
    models: [{ backbone: 'resnet18', options: { width: 8 } }],
    attention: ['none', 'eca'],
    backends: ['onnx-node'],
    inputSizes: [32],
    batchSizes: [1],
    measure: { iterations: 1 },
    threads: 1,
    ...fields,
  });

describe('checkBenchConfigLimits', () => {
  it('threads above the cores are LIMIT_EXCEEDED naming the cores, and pass with forceThreads', async () => {
    await expect(checkBenchConfigLimits(config({ threads: 3 }), { cores: 2 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { path: 'threads', value: 3, bound: 2 } });
    await expect(checkBenchConfigLimits(config({ threads: 3 }), { cores: 2, forceThreads: true })).resolves.toBeUndefined();
  });

  it('2 cells x 901 s = 1802 s asks for --yes (30 min bound), 2 x 900 s does not', async () => {
    const error = checkBenchConfigLimits(config({ measure: { secondsPerCell: 901 } }), { cores: 2 });
    await expect(error).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { cells: 2, value: 1802, bound: 1800 } });
    await expect(checkBenchConfigLimits(config({ measure: { secondsPerCell: 901 } }), { cores: 2, yes: true })).resolves.toBeUndefined();
    await expect(checkBenchConfigLimits(config({ measure: { secondsPerCell: 900 } }), { cores: 2 })).resolves.toBeUndefined();
  });

  it('input and batch sizes beyond core LIMITS are LIMIT_EXCEEDED naming the field', async () => {
    await expect(checkBenchConfigLimits(config({ inputSizes: [32, 4097] }), { cores: 2 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { path: 'bench config inputSizes[1]', bound: 4096 } });
    await expect(checkBenchConfigLimits(config({ batchSizes: [1025] }), { cores: 2 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { path: 'bench config batchSizes[0]', bound: 1024 } });
  });

  it('zoo options that do not build are INVALID_CONFIG at models[i].options', async () => {
    await expect(checkBenchConfigLimits(config({ models: [{ backbone: 'resnet18', options: { width: -3 } }] }), { cores: 2 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { issues: [expect.objectContaining({ path: 'models[0].options' })] },
    });
  });
});
