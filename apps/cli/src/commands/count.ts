import { type AttentionSpec, AttnkitError, ErrorCodes, countCosts, toBinaryUnits, traceNetwork } from '@attnkit/core';
import { ATTENTION_PLACEMENTS, type AttentionPlacement, type InsertionReport, createBackbone, insertionReport, listBackbones } from '@attnkit/zoo';
import type { Command } from 'commander';
import { parseAttentionArgument, parseInteger, printJson, runCommand } from '../cli-support.js';

export interface CountRequest {
  backbone: string;
  attention?: AttentionSpec;
  placement?: string;
  /** Square input size; 224 by default. */
  input?: number;
  numClasses?: number;
}

/** What `attnkit count --json` prints. */
export interface CountResult {
  backbone: string;
  attention: AttentionSpec | null;
  placement: string;
  inputShape: number[];
  parameters: number;
  /** Parameters / 1024^2, as the paper prints "24.37M". */
  parametersBinaryM: number;
  buffers: number;
  macs: number;
  flops: { value: number; unit: 'operations'; convention: string; binaryG: number; binaryM: number };
  insertions: InsertionReport[];
}

/** Exact costs and the insertion report of one backbone build (the body of `attnkit count`). */
export function countBackbone(request: CountRequest): CountResult {
  const placement = request.placement ?? 'residual';
  if (!(ATTENTION_PLACEMENTS as readonly string[]).includes(placement)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--placement ${placement} is not valid: use ${ATTENTION_PLACEMENTS.join(', ')}`, {
      path: 'placement',
      allowed: [...ATTENTION_PLACEMENTS],
    });
  }
  const input = request.input ?? 224;
  const network = createBackbone(request.backbone, {
    // Only when given: timm's ecaresnet* / seresnet* bring their own attention.
    ...(request.attention === undefined ? {} : { attention: request.attention }),
    placement: placement as AttentionPlacement,
    ...(request.numClasses === undefined ? {} : { numClasses: request.numClasses }),
  });
  const graph = traceNetwork(network, [1, 3, input, input]);
  const costs = countCosts(graph);
  return {
    backbone: request.backbone,
    attention: request.attention ?? (network.options.attention as AttentionSpec | null),
    placement,
    inputShape: [...costs.inputShape],
    parameters: costs.parameters,
    parametersBinaryM: toBinaryUnits(costs.parameters, 2),
    buffers: costs.buffers,
    macs: costs.macs,
    flops: { ...costs.flops, binaryG: toBinaryUnits(costs.flops.value, 3), binaryM: toBinaryUnits(costs.flops.value, 2) },
    insertions: insertionReport(graph),
  };
}

const exact = (n: number) => n.toLocaleString('en-US');

/** The readable table: exact counts with the paper's binary units beside them. */
export function formatCount(result: CountResult): string {
  const rows: Array<[string, string, string]> = [
    ['parameters', exact(result.parameters), `${result.parametersBinaryM.toFixed(2)}M`],
    ['MACs', exact(result.macs), `${toBinaryUnits(result.macs, 3).toFixed(4)}G`],
    ['FLOPs (thop)', exact(result.flops.value), `${result.flops.binaryG.toFixed(4)}G  ${result.flops.binaryM.toFixed(2)}M`],
  ];
  const lines = [
    `${result.backbone}  attention ${result.attention === null ? 'none' : JSON.stringify(result.attention)}  placement ${result.placement}  input ${result.inputShape.join('x')}`,
    '',
    `${'cost'.padEnd(14)}${'exact'.padStart(16)}  binary units (1024^k, as the paper)`,
    ...rows.map(([label, value, binary]) => `${label.padEnd(14)}${value.padStart(16)}  ${binary}`),
  ];
  if (result.insertions.length > 0) {
    const sum = result.insertions.reduce((n, r) => n + r.parameters, 0);
    lines.push('', `insertions: ${result.insertions.length}, ${exact(sum)} parameters`, `${'path'.padEnd(14)}${'module'.padEnd(22)}${'channels'.padStart(9)}${'k'.padStart(4)}${'params'.padStart(10)}`);
    for (const r of result.insertions) {
      lines.push(`${r.path.padEnd(14)}${r.module.padEnd(22)}${String(r.channels).padStart(9)}${String(r.kernelSize ?? '-').padStart(4)}${exact(r.parameters).padStart(10)}`);
    }
  }
  lines.push('', `FLOPs convention: ${result.flops.convention}`);
  return `${lines.join('\n')}\n`;
}

export function registerCountCommand(program: Command): void {
  program
    .command('count')
    .description('exact parameters, MACs and thop-style FLOPs of a zoo backbone, with the attention insertion report')
    .argument('<backbone>', `one of ${listBackbones().join(', ')}`)
    .option('--attention <spec>', "an attention id (eca) or a JSON spec ('{\"type\":\"eca\",\"kernelSize\":[3,5,5,7]}'); none by default")
    .option('--placement <placement>', `where attention goes: ${ATTENTION_PLACEMENTS.join(', ')}`, 'residual')
    .option('--input <size>', 'square input size', '224')
    .option('--num-classes <n>', 'classifier outputs', '1000')
    .option('--json', 'print JSON only')
    .action((backbone: string, options: { attention?: string; placement: string; input: string; numClasses: string; json?: boolean }) =>
      runCommand(() => {
        const result = countBackbone({
          backbone,
          attention: parseAttentionArgument(options.attention),
          placement: options.placement,
          input: parseInteger('--input', options.input),
          numClasses: parseInteger('--num-classes', options.numClasses),
        });
        if (options.json) return printJson(result);
        process.stdout.write(formatCount(result));
      }),
    );
}
