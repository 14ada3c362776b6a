import { resolve } from 'node:path';
import { AttnkitError, ErrorCodes, isAttnkitError, type Tensor } from '@attnkit/core';
import { readRegularFile } from '@attnkit/core/node';
import { type InsertionEntry, insertAttention } from '@attnkit/onnx';
import { kernelSizeMismatchError, readStateDict } from '@attnkit/zoo';
import type { Command } from 'commander';
import { parseAttentionArgument, printJson, runCommand } from '../cli-support.js';
import { readOnnxFile, writeOnnxFile } from '../onnx-file.js';
import { parseSeed } from '../zoo-network.js';

export interface InsertArguments {
  attention?: string;
  at?: string;
  weights?: string;
  ignoreUnusedWeights?: boolean;
  seed?: string;
  out?: string;
  json?: boolean;
}

/** What `attnkit insert --json` prints. */
export interface InsertResult {
  input: string;
  output: string;
  /** Every file written: the model, and `<output>.data` when the input kept data externally. */
  files: string[];
  /** One entry per inserted module: node, tensor, channels, k, parameters, PyTorch name. */
  report: InsertionEntry[];
}

/**
 * Inserts attention into a .onnx file (external data inside its folder included) and writes the
 * result through the atomic writer, creating missing folders: a failure at any step leaves no
 * output, and the input is only read.
 */
export async function insertIntoFile(inputPath: string, args: InsertArguments): Promise<InsertResult> {
  const attention = parseAttentionArgument(args.attention);
  if (attention === undefined || attention === null) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'give the module to insert with --attention <id or JSON spec>, e.g. --attention eca (none inserts nothing)', { path: '--attention' });
  }
  if (!args.at) throw new AttnkitError(ErrorCodes.INVALID_OPTION, "give the insertion points with --at residual or --at '<name>,<name>'", { path: '--at' });
  if (!args.out) throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'give the output file with -o <out.onnx>', { path: '--out' });
  const at = args.at === 'residual' ? 'residual' : args.at.split(',').map((name) => name.trim()).filter((name) => name !== '');
  let weights: Map<string, Tensor> | undefined;
  if (args.weights !== undefined) weights = readStateDict(await readRegularFile(args.weights, { what: '--weights' }), { source: args.weights }).tensors;
  const input = await readOnnxFile(inputPath);
  const { model, report } = withKernelSizeAdvice(() =>
    insertAttention(input.model, { attention, at, ...(weights ? { weights } : {}), ignoreUnusedWeights: args.ignoreUnusedWeights ?? false, seed: parseSeed(args.seed) }),
  );
  const output = resolve(args.out);
  const files = await writeOnnxFile(output, model, input.external);
  return { input: resolve(inputPath), output, files, report };
}

/** A kernel-size mismatch re-told as `export` tells it: the file's k per stage and the list or rule that loads it. */
function withKernelSizeAdvice<T>(insert: () => T): T {
  try {
    return insert();
  } catch (error) {
    if (isAttnkitError(error, ErrorCodes.KERNEL_SIZE_MISMATCH) && Array.isArray(error.details.positions)) {
      throw kernelSizeMismatchError(error.details.positions as Parameters<typeof kernelSizeMismatchError>[0]);
    }
    throw error;
  }
}

export function registerInsertCommand(program: Command): void {
  program
    .command('insert')
    .description('insert an attention module into an existing .onnx model (e.g. one torch.onnx.export wrote)')
    .argument('<in.onnx>', 'the model to edit (read only)')
    .option('--attention <spec>', "attention id or JSON spec, e.g. eca or '{\"type\":\"eca\",\"kernelSize\":3}'")
    .option('--at <points>', "'residual' (every residual branch, before its Add) or comma-separated tensor/node names")
    .option('--weights <file>', '.safetensors or .pth/.pt/.bin module weights by PyTorch name (layer1.0.eca.conv.weight) or by insertion-point name')
    .option('--ignore-unused-weights', 'skip keys of --weights that no inserted module reads (an error by default)')
    .option('--seed <n>', 'seed of the module weights when no --weights file is given', '0')
    .option('-o, --out <out.onnx>', 'where to write the edited model (missing folders are created; external data goes to <out.onnx>.data)')
    .option('--json', 'print JSON only')
    .action((input: string, options: InsertArguments) =>
      runCommand(async () => {
        const result = await insertIntoFile(input, options);
        if (options.json) return printJson(result);
        process.stdout.write(`wrote ${result.output} with ${result.report.length} module(s):\n`);
        for (const r of result.report) {
          process.stdout.write(`  ${r.name.padEnd(22)} after ${r.tensor} C=${r.channels}${r.kernelSize === undefined ? '' : ` k=${r.kernelSize}`} params=${r.parameters}\n`);
        }
      }),
    );
}
