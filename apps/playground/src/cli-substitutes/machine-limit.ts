/**
 * The page's version of the CLI's `machine-limit.ts`. The limits are kernels timed on
 * onnxruntime-node and tfjs in Node, which a browser does not have: the page reports them as not
 * measured. The pure part (families, limits, violations) is the CLI's own.
 */
import type { MachineLimit } from '../../../cli/src/bench/machine-limit-model.js';

export * from '../../../cli/src/bench/machine-limit-model.js';

export const machineLimitMethod = 'not measured in the browser';

export async function measureMachineLimit(): Promise<MachineLimit> {
  return {
    available: false,
    reason: 'the machine limits are kernels timed on onnxruntime-node and tfjs in Node, which browsers do not have',
    method: machineLimitMethod,
    kernels: [],
    failures: [],
    limits: [],
    peaks: [],
    violations: [],
  };
}
