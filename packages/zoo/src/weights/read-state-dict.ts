import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { isPthBytes, type ReadPthOptions, readPth } from './read-pth.js';
import { readSafetensors } from './read-safetensors.js';
import type { SafetensorsDtype } from './safetensors-format.js';

/** The weight-file formats attnkit reads, told apart by content, not by file name. */
export type WeightsFormat = 'safetensors' | 'pth-zip' | 'pth-legacy';

/** The options of `readPth` (the `key` of a nested state dict, the `source` named in errors). */
export type ReadStateDictOptions = ReadPthOptions;

export interface StateDictContents {
  tensors: Map<string, Tensor>;
  dtypes: Map<string, SafetensorsDtype>;
  format: WeightsFormat;
  /** For a nested checkpoint: the entry the state dict came from (`'state_dict'`). */
  stateDictKey?: string;
}

/**
 * Reads a state dict from the bytes of a .safetensors file or a PyTorch checkpoint
 * (.pth / .pth.tar / .pt / .bin, zip or legacy), detected from the first bytes: `PK\x03\x04`
 * is a torch >= 1.6 zip, a pickle PROTO opcode a legacy stream, anything else is read as
 * safetensors.
 *
 * @throws AttnkitError everything `readSafetensors` and `readPth` throw (INVALID_FILE for bytes
 *   of neither format, with what a valid file looks like).
 */
export function readStateDict(bytes: Uint8Array, options: ReadStateDictOptions = {}): StateDictContents {
  if (!(bytes instanceof Uint8Array)) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`, {});
  }
  if (isPthBytes(bytes)) {
    const contents = readPth(bytes, options);
    return {
      tensors: contents.tensors,
      dtypes: contents.dtypes,
      format: contents.format === 'zip' ? 'pth-zip' : 'pth-legacy',
      ...(contents.stateDictKey === undefined ? {} : { stateDictKey: contents.stateDictKey }),
    };
  }
  // Anything else is read as safetensors, whose errors say what a valid file looks like.
  const { tensors, dtypes } = readSafetensors(bytes);
  return { tensors, dtypes, format: 'safetensors' };
}
