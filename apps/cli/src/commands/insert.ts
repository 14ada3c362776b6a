import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { type InsertionEntry, encodeModel, insertAttention } from '@attnkit/onnx';
import { readStateDict } from '@attnkit/zoo';
import type { Command } from 'commander';
import { parseAttentionArgument, printJson, runCommand } from '../cli-support.js';
import { parseSeed } from '../zoo-network.js';

export interface InsertArguments {
  attention?: string;
  at?: string;
  weights?: string;
  seed?: string;
  out?: string;
  json?: boolean;
}

/** What `attnkit insert --json` prints. */
export interface InsertResult {
  input: string;
  output: string;
  /** One entry per inserted module: node, tensor, channels, k, parameters, PyTorch name. */
  report: InsertionEntry[];
}

async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot read ${what} ${path}: ${(error as Error).message}`, { path });
  }
}

/**
 * Inserts attention into a .onnx file and writes the result to a temp file that is renamed into
 * place, so a failure at any step leaves no output (and the input is only read).
 */
export async function insertIntoFile(inputPath: string, args: InsertArguments): Promise<InsertResult> {
  const attention = parseAttentionArgument(args.attention);
  if (attention === undefined) throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'give the module with --attention <id or JSON spec>, e.g. --attention eca', { path: '--attention' });
  if (!args.at) throw new AttnkitError(ErrorCodes.INVALID_OPTION, "give the insertion points with --at residual or --at '<name>,<name>'", { path: '--at' });
  if (!args.out) throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'give the output file with -o <out.onnx>', { path: '--out' });
  const at = args.at === 'residual' ? 'residual' : args.at.split(',').map((name) => name.trim()).filter((name) => name !== '');
  let weights: Map<string, Tensor> | undefined;
  if (args.weights !== undefined) weights = readStateDict(await readInput(args.weights, '--weights'), { source: args.weights }).tensors;
  const { model, report } = insertAttention(await readInput(inputPath, 'the model'), { attention, at, ...(weights ? { weights } : {}), seed: parseSeed(args.seed) });
  const output = resolve(args.out);
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, encodeModel(model));
    await rename(temporary, output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot write ${output}: ${(error as Error).message}`, { path: output });
  }
  return { input: resolve(inputPath), output, report };
}

export function registerInsertCommand(program: Command): void {
  program
    .command('insert')
    .description('insert an attention module into an existing .onnx model (e.g. one torch.onnx.export wrote)')
    .argument('<in.onnx>', 'the model to edit (read only)')
    .option('--attention <spec>', "attention id or JSON spec, e.g. eca or '{\"type\":\"eca\",\"kernelSize\":3}'")
    .option('--at <points>', "'residual' (every residual branch, before its Add) or comma-separated tensor/node names")
    .option('--weights <file>', '.safetensors or .pth/.pt/.bin module weights by PyTorch name (layer1.0.eca.conv.weight) or by insertion-point name')
    .option('--seed <n>', 'seed of the module weights when no --weights file is given', '0')
    .option('-o, --out <out.onnx>', 'where to write the edited model')
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
