import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { readStateDict, type SafetensorsFloatDtype, type WeightsFormat, writeSafetensors } from '@attnkit/zoo';
import type { Command } from 'commander';
import { printJson, runCommand } from '../cli-support.js';

export interface ConvertArguments {
  out?: string;
  /** The checkpoint entry that holds the state dict (`state_dict`, `model`, ...). */
  key?: string;
  /** Storage dtype of the output: F32 (default), F16 or BF16. */
  dtype?: string;
  json?: boolean;
}

/** What `attnkit convert --json` prints. */
export interface ConvertResult {
  input: string;
  inputFormat: WeightsFormat;
  /** The checkpoint entry the state dict came from, for nested checkpoints. */
  stateDictKey?: string;
  output: string;
  dtype: SafetensorsFloatDtype;
  tensors: number;
  bytes: number;
}

const DTYPES: readonly SafetensorsFloatDtype[] = ['F32', 'F16', 'BF16'];

/**
 * A PyTorch checkpoint (or safetensors file) in, its state dict as safetensors out, every tensor
 * under its file name (`module.` prefixes and all, as `torch.save` kept them). The output is
 * written to a temporary file in the target folder and renamed, so a failure leaves nothing.
 */
export async function convertWeights(input: string, args: ConvertArguments): Promise<ConvertResult> {
  if (args.out === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'convert needs -o <out.safetensors>', { path: '--out' });
  }
  const dtype = (args.dtype ?? 'F32').toUpperCase() as SafetensorsFloatDtype;
  if (!DTYPES.includes(dtype)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--dtype must be one of ${DTYPES.join(', ')}, got '${args.dtype}'`, { path: '--dtype', allowed: DTYPES });
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(input));
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot read ${input}: ${(error as Error).message}`, { path: input });
  }
  const contents = readStateDict(bytes, { source: input, ...(args.key === undefined ? {} : { key: args.key }) });
  const metadata: Record<string, string> = { format: 'pt', source: basename(input), converter: 'attnkit convert' };
  if (contents.stateDictKey !== undefined) metadata.state_dict_key = contents.stateDictKey;
  const encoded = writeSafetensors(contents.tensors, { dtype, metadata });

  const output = resolve(args.out);
  const temporary = join(dirname(output), `.${basename(output)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, encoded, { flag: 'wx' });
    await rename(temporary, output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot write ${output}: ${(error as Error).message}`, { path: output });
  }
  return {
    input,
    inputFormat: contents.format,
    ...(contents.stateDictKey === undefined ? {} : { stateDictKey: contents.stateDictKey }),
    output,
    dtype,
    tensors: contents.tensors.size,
    bytes: encoded.length,
  };
}

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a PyTorch checkpoint (.pth, .pth.tar, .pt, .bin; zip or legacy) to .safetensors, without Python')
    .argument('<input>', 'the checkpoint (its format is read from its content)')
    .option('-o, --out <file.safetensors>', 'where to write the safetensors file')
    .option('--key <name>', "the checkpoint entry holding the state dict (default: the dict itself, else 'state_dict', 'model', ...)")
    .option('--dtype <dtype>', 'storage dtype of the output: F32, F16 or BF16', 'F32')
    .option('--json', 'print the result as JSON on stdout')
    .action((input: string, args: ConvertArguments) =>
      runCommand(async () => {
        const result = await convertWeights(input, args);
        if (args.json) printJson(result);
        else {
          const from = result.stateDictKey === undefined ? result.inputFormat : `${result.inputFormat}, entry '${result.stateDictKey}'`;
          process.stdout.write(`wrote ${result.output}: ${result.tensors} tensors as ${result.dtype}, ${result.bytes} bytes (from ${input}, ${from})\n`);
        }
      }),
    );
}
