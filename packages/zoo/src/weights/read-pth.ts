import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { type UnzipFileInfo, unzipSync } from 'fflate';
import { decodeElements } from './read-safetensors.js';
import { SAFETENSORS_DTYPE_SIZES, type SafetensorsDtype } from './safetensors-format.js';
import {
  describe,
  PickleGlobal,
  type PickleValue,
  StorageReference,
  TensorReference,
  TORCH_STORAGE_DTYPES,
  type TorchStorageClass,
  unpickle,
} from './unpickle.js';

/**
 * PyTorch checkpoints (`torch.save`), read without Python:
 * - zip (torch >= 1.6): `<archive>/data.pkl` plus one entry `<archive>/data/<key>` per storage;
 * - legacy (torch < 1.6, or `_use_new_zipfile_serialization=False`): five pickles in a row (magic
 *   number, protocol 1001, sys info, the object, the storage keys), then every storage as an
 *   int64 element count and its raw little-endian bytes.
 */
export type PthFormat = 'zip' | 'legacy';

export interface ReadPthOptions {
  /**
   * Which entry of a checkpoint dict holds the state dict (`'state_dict'`, `'model'`, ...).
   * Default: the object itself when it is a dict of tensors, else the first of
   * `STATE_DICT_KEYS` that holds one, else the only entry that does.
   */
  key?: string;
  /** Names the file in error messages. */
  source?: string;
}

export interface PthContents {
  /** The state dict, every tensor materialized (views and strides resolved) as float32. */
  tensors: Map<string, Tensor>;
  /** The dtype of each tensor in the file, as a safetensors dtype name (`F16`, `I64`, ...). */
  dtypes: Map<string, SafetensorsDtype>;
  format: PthFormat;
  /** The checkpoint entry the state dict came from (`'state_dict'`), if it was nested. */
  stateDictKey?: string;
  /** Top-level entries that are not tensors (`epoch`, `optimizer`, ...), ignored. */
  skipped: string[];
}

/** Where training scripts keep the weights in a checkpoint dict, in the order they are tried. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'state_dict_ema', 'model_ema', 'net', 'module', 'weights'] as const;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** `torch.serialization.MAGIC_NUMBER`, the first pickle of a legacy checkpoint. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** deflate expands at most ~1032:1; a larger declared size is a lie, refused before inflating. */
const DEFLATE_MAX_RATIO = 1032;

export const PTH_FORMAT_HINT =
  'A PyTorch checkpoint is what torch.save writes: a zip archive holding <name>/data.pkl and <name>/data/<key> (torch >= 1.6), ' +
  'or the legacy pickle stream (torch < 1.6). Its object must be a dict of tensors (a state dict), or a dict that holds one ' +
  `under a key such as ${STATE_DICT_KEYS.map((k) => `'${k}'`).join(', ')}.`;

/**
 * True when the bytes start like a checkpoint of either format: a zip, or a pickle (PROTO) whose
 * byte 8 is not the `{` a safetensors header starts with there. (A safetensors header of 384
 * bytes begins 0x80 0x01, like a pickle; torch's legacy stream has its magic number at byte 8.)
 */
export function isPthBytes(bytes: Uint8Array): boolean {
  if (startsWith(bytes, ZIP_MAGIC)) return true;
  return bytes.length > 8 && bytes[0] === 0x80 && bytes[1] <= 5 && bytes[8] !== 0x7b;
}

/**
 * Reads a PyTorch checkpoint held in memory. Executes nothing: the pickle is read by a
 * whitelisting reader (see unpickle.ts). Every size the file declares is checked against the
 * bytes that hold it before anything is allocated for it.
 *
 * @throws AttnkitError INVALID_FILE for bytes of neither format, truncated or inconsistent
 *   files (a storage whose entry is not numel x element size bytes, a tensor reaching past its
 *   storage), a global not on the whitelist (`details.global`), or no state dict inside;
 *   INVALID_OPTION for a `key` the checkpoint does not hold; UNSUPPORTED for big-endian files.
 */
export function readPth(bytes: Uint8Array, options: ReadPthOptions = {}): PthContents {
  const source = options.source ?? 'checkpoint';
  if (!(bytes instanceof Uint8Array)) throw invalid(source, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (startsWith(bytes, ZIP_MAGIC)) return readZip(bytes, options, source);
  if (bytes.length > 2 && bytes[0] === 0x80) return readLegacy(bytes, options, source);
  throw invalid(source, 'the bytes are neither a zip archive nor a pickle stream');
}

function readZip(bytes: Uint8Array, options: ReadPthOptions, source: string): PthContents {
  const entries: UnzipFileInfo[] = [];
  const check = (file: UnzipFileInfo): void => {
    const bound = file.compression === 0 ? file.size : file.size * DEFLATE_MAX_RATIO + 1024;
    if ((file.compression !== 0 && file.compression !== 8) || file.originalSize > bound || file.size > bytes.length) {
      throw invalid(source, `zip entry ${file.name} declares ${file.originalSize} bytes from ${file.size} stored (method ${file.compression}): not a consistent entry`);
    }
  };
  let pickleFiles: Record<string, Uint8Array>;
  try {
    pickleFiles = unzipSync(bytes, {
      filter: (file) => {
        entries.push(file);
        check(file);
        return /^[^/]+\/(data\.pkl|byteorder)$/.test(file.name);
      },
    });
  } catch (error) {
    if (error instanceof AttnkitError) throw error;
    throw invalid(source, `the zip archive cannot be read (${(error as Error).message})`);
  }
  const pickleName = Object.keys(pickleFiles).find((name) => name.endsWith('/data.pkl'));
  if (pickleName === undefined) throw invalid(source, 'the zip archive has no <name>/data.pkl: it was not written by torch.save');
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteorder = pickleFiles[`${prefix}byteorder`];
  if (byteorder !== undefined && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `${source}: the checkpoint was saved big-endian; re-save it on a little-endian machine`, {});
  }

  const storages = new Map<string, StorageReference>();
  const { value } = unpickle(pickleFiles[pickleName], 0, {
    source,
    persistentLoad: (id) => storageFromId(id, storages, source),
  });
  const selected = selectStateDict(value, options, source);

  // Only the storages the chosen state dict uses, each checked against its entry before inflating.
  const used = new Set([...selected.references.values()].map((ref) => ref.storage.key));
  const sizes = new Map(entries.map((file) => [file.name, file.originalSize]));
  for (const key of used) {
    const storage = storages.get(key)!;
    const name = `${prefix}data/${key}`;
    const expected = storage.numel * elementSize(storage);
    if (!sizes.has(name)) throw invalid(source, `storage ${key} has no zip entry ${name}`);
    if (sizes.get(name) !== expected) {
      throw invalid(source, `zip entry ${name} holds ${sizes.get(name)} bytes but its storage declares ${storage.numel} x ${elementSize(storage)} = ${expected}`);
    }
  }
  const data = unzipSync(bytes, { filter: (file) => file.name.startsWith(`${prefix}data/`) && used.has(file.name.slice(prefix.length + 5)) });
  const storageBytes = new Map([...used].map((key) => [key, data[`${prefix}data/${key}`]]));
  return materialize(selected, storageBytes, 'zip', source);
}

function readLegacy(bytes: Uint8Array, options: ReadPthOptions, source: string): PthContents {
  const noStorages = (): PickleValue => {
    throw invalid(source, 'a legacy header pickle refers to a storage');
  };
  const magic = unpickle(bytes, 0, { source, persistentLoad: noStorages });
  if (magic.value !== LEGACY_MAGIC && magic.value !== Number(LEGACY_MAGIC)) {
    throw invalid(source, `the pickle stream does not start with torch's magic number (found ${describe(magic.value)}): it is not a torch.save checkpoint`);
  }
  const protocol = unpickle(bytes, magic.end, { source, persistentLoad: noStorages });
  if (protocol.value !== LEGACY_PROTOCOL) throw invalid(source, `legacy protocol ${describe(protocol.value)}, expected ${LEGACY_PROTOCOL}`);
  const sysInfo = unpickle(bytes, protocol.end, { source, persistentLoad: noStorages });
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `${source}: the checkpoint was saved big-endian; re-save it on a little-endian machine`, {});
  }
  const storages = new Map<string, StorageReference>();
  const object = unpickle(bytes, sysInfo.end, { source, persistentLoad: (id) => storageFromId(id, storages, source) });
  const keys = unpickle(bytes, object.end, { source, persistentLoad: noStorages });
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) {
    throw invalid(source, 'the legacy storage key list is not a list of strings');
  }

  // Storages follow in key order: int64 element count, then the bytes. Each count is checked
  // against the pickle's and against the bytes left before it is sliced.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storageBytes = new Map<string, Uint8Array>();
  let position = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (storage === undefined) throw invalid(source, `storage ${key} is listed but no tensor names it`);
    if (position + 8 > bytes.length) throw invalid(source, `the file ends before storage ${key} (truncated)`);
    const numel = view.getBigUint64(position, true);
    if (numel !== BigInt(storage.numel)) throw invalid(source, `storage ${key} holds ${numel} elements but the pickle declares ${storage.numel}`);
    const length = storage.numel * elementSize(storage);
    position += 8;
    if (position + length > bytes.length) {
      throw invalid(source, `storage ${key} needs ${length} bytes but ${bytes.length - position} are left (truncated)`);
    }
    storageBytes.set(key, bytes.subarray(position, position + length));
    position += length;
  }
  const selected = selectStateDict(object.value, options, source);
  return materialize(selected, storageBytes, 'legacy', source);
}

/** PyTorch's persistent id: `('storage', storage class, key, location, numel[, view metadata])`. */
function storageFromId(id: PickleValue, storages: Map<string, StorageReference>, source: string): StorageReference {
  if (!Array.isArray(id) || id[0] !== 'storage' || id.length < 5) {
    throw invalid(source, `a persistent id ${describe(id as PickleValue)} is not a storage ('storage', class, key, location, numel)`);
  }
  const [, type, key, , numel, view] = id;
  if (!(type instanceof PickleGlobal) || type.module !== 'torch' || !Object.hasOwn(TORCH_STORAGE_DTYPES, type.name)) {
    throw invalid(source, `a storage of type ${describe(type)}; known: ${Object.keys(TORCH_STORAGE_DTYPES).join(', ')}`);
  }
  if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw invalid(source, `storage ${String(key)} has element count ${describe(numel)}`);
  }
  const storageClass = type.name as TorchStorageClass;
  const previous = storages.get(key);
  if (previous !== undefined && (previous.storageClass !== storageClass || previous.numel !== numel)) {
    throw invalid(source, `storage ${key} is declared twice with different types or sizes`);
  }
  const root = previous ?? new StorageReference(key, storageClass, numel);
  storages.set(key, root);
  if (view === undefined || view === null) return root;
  // Legacy storage views: (view key, element offset, element count) of this root.
  const [viewKey, offset, count] = view as PickleValue[];
  if (typeof viewKey !== 'string' || typeof offset !== 'number' || typeof count !== 'number' || offset < 0 || offset + count > numel) {
    throw invalid(source, `storage view ${describe(viewKey)} does not fit in storage ${key}`);
  }
  return new StorageReference(key, storageClass, count, { rootKey: key, offset, numel: count });
}

interface SelectedStateDict {
  references: Map<string, TensorReference>;
  stateDictKey?: string;
  skipped: string[];
}

function tensorEntries(value: PickleValue): Map<string, TensorReference> | undefined {
  if (!(value instanceof Map) || value.size === 0) return undefined;
  const out = new Map<string, TensorReference>();
  for (const [key, tensor] of value) {
    if (typeof key !== 'string' || !(tensor instanceof TensorReference)) return undefined;
    out.set(key, tensor);
  }
  return out;
}

function selectStateDict(value: PickleValue, options: ReadPthOptions, source: string): SelectedStateDict {
  if (!(value instanceof Map)) throw invalid(source, `the checkpoint holds ${describe(value)}, not a dict. ${PTH_FORMAT_HINT}`);
  const keys = [...value.keys()].map((key) => String(key));
  if (options.key !== undefined) {
    const references = tensorEntries(value.get(options.key) ?? null);
    if (!value.has(options.key) || references === undefined) {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `${source}: key '${options.key}' ${value.has(options.key) ? 'is not a dict of tensors' : 'is not in the checkpoint'}; its keys are ${keys.join(', ')}`,
        { path: 'key', allowed: keys },
      );
    }
    return { references, stateDictKey: options.key, skipped: keys.filter((key) => key !== options.key) };
  }
  const whole = tensorEntries(value);
  if (whole !== undefined) return { references: whole, skipped: [] };
  const candidates = keys.filter((key) => tensorEntries(value.get(key) ?? null) !== undefined);
  const chosen = STATE_DICT_KEYS.find((key) => candidates.includes(key)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (chosen !== undefined) {
    return { references: tensorEntries(value.get(chosen)!)!, stateDictKey: chosen, skipped: keys.filter((key) => key !== chosen) };
  }
  const loose = [...value].filter(([, tensor]) => tensor instanceof TensorReference);
  if (loose.length > 0 && candidates.length === 0) {
    return {
      references: new Map(loose.map(([key, tensor]) => [String(key), tensor as TensorReference])),
      skipped: keys.filter((key) => !(value.get(key) instanceof TensorReference)),
    };
  }
  throw invalid(
    source,
    candidates.length > 1
      ? `the checkpoint holds several state dicts (${candidates.join(', ')}); choose one with the key option`
      : `no state dict in the checkpoint (its keys: ${keys.join(', ')}). ${PTH_FORMAT_HINT}`,
    { candidates, keys },
  );
}

function materialize(selected: SelectedStateDict, storageBytes: Map<string, Uint8Array>, format: PthFormat, source: string): PthContents {
  const decoded = new Map<string, Float32Array>();
  const readers = new Map<string, number>();
  for (const ref of selected.references.values()) {
    const key = ref.storage.view?.rootKey ?? ref.storage.key;
    readers.set(key, (readers.get(key) ?? 0) + 1);
  }
  const tensors = new Map<string, Tensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const [name, ref] of selected.references) {
    const storage = ref.storage;
    const base = storage.view?.offset ?? 0;
    const shape = [...ref.size];
    const count = shape.reduce((product, dimension) => product * dimension, 1);
    const span = ref.size.reduce((last, dimension, axis) => last + (dimension - 1) * ref.stride[axis], 0);
    if (count > 0 && ref.offset + span >= storage.numel) {
      throw invalid(source, `tensor ${name} [${shape.join(', ')}] at offset ${ref.offset} with strides [${ref.stride.join(', ')}] reaches element ${ref.offset + span} of a ${storage.numel}-element storage`);
    }
    const dtype = TORCH_STORAGE_DTYPES[storage.storageClass];
    dtypes.set(name, dtype);
    const key = storage.view?.rootKey ?? storage.key;
    let values = decoded.get(key);
    if (values === undefined) {
      const raw = storageBytes.get(key);
      if (raw === undefined) throw invalid(source, `storage ${key} of tensor ${name} is not in the file`);
      values = decodeElements(raw, 0, raw.length, dtype);
      decoded.set(key, values);
    }
    // The usual case, one tensor filling its own storage, takes the decoded values as they are;
    // anything shared, offset or strided is copied out so each tensor owns its data.
    const whole = readers.get(key) === 1 && base + ref.offset === 0 && count === values.length && isContiguous(ref.size, ref.stride);
    tensors.set(name, { shape, data: whole ? values : gather(values, base + ref.offset, ref.size, ref.stride, count) });
  }
  return {
    tensors,
    dtypes,
    format,
    ...(selected.stateDictKey === undefined ? {} : { stateDictKey: selected.stateDictKey }),
    skipped: selected.skipped,
  };
}

/** Row-major copy of a strided window (a transposed or sliced tensor becomes contiguous). */
function gather(values: Float32Array, offset: number, size: readonly number[], stride: readonly number[], count: number): Float32Array {
  const out = new Float32Array(count);
  if (count === 0) return out;
  const rank = size.length;
  if (isContiguous(size, stride)) {
    out.set(values.subarray(offset, offset + count));
    return out;
  }
  const index = new Array<number>(rank).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    out[i] = values[source];
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += stride[axis];
      if (index[axis] < size[axis]) break;
      source -= stride[axis] * size[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** Row-major strides (axes of length 1 may have any stride). */
function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  return size.every((dimension, axis) => dimension === 1 || size.slice(axis + 1).reduce((p, d) => p * d, 1) === stride[axis]);
}

function elementSize(storage: StorageReference): number {
  return SAFETENSORS_DTYPE_SIZES[TORCH_STORAGE_DTYPES[storage.storageClass]];
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function invalid(source: string, problem: string, details: Record<string, unknown> = {}): AttnkitError {
  return new AttnkitError(ErrorCodes.INVALID_FILE, `${source}: ${problem}`, details);
}
