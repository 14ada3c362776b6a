/**
 * The page's version of the CLI's `machine-limit.ts`. The limit is a MatMul timed on
 * onnxruntime-node, which a browser does not have: the page reports it as not measured.
 */
import type { MachineLimit } from '../../../cli/src/bench/machine-limit.js';

export type { MachineLimit } from '../../../cli/src/bench/machine-limit.js';

export async function measureMachineLimit(options: { size: number; seconds: number; threads: number }): Promise<MachineLimit> {
  return {
    available: false,
    reason: 'the machine limit is a MatMul timed on onnxruntime-node, which browsers do not have',
    method: 'not measured in the browser',
    size: options.size,
    threads: options.threads,
  };
}
