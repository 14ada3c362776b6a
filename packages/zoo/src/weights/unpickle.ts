/**
 * A restricted reader of Python pickles (protocols 0-5, the opcodes `torch.save` writes), for
 * PyTorch checkpoints. It executes nothing: a global is resolved only when it is on the
 * whitelist of what a state dict needs (`collections.OrderedDict`, the tensor and parameter
 * rebuild functions of `torch._utils`, the storage classes), and every other global, however
 * harmless, is refused with an error that names it. Rebuilt tensors are references (storage,
 * offset, size, stride); their bytes are read later by the caller, so nothing is allocated for
 * a tensor before its declared size has been checked against the bytes that hold it.
 *
 * Written by hand rather than taken from a library: the npm picklers (e.g. `pickleparser`)
 * resolve unknown globals to placeholder objects instead of refusing them and know nothing of
 * PyTorch's persistent ids; this reader is the safety boundary, so it stays small and strict.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';

/** What a storage is made of, by PyTorch's storage class name. */
export const TORCH_STORAGE_DTYPES = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
} as const;

export type TorchStorageClass = keyof typeof TORCH_STORAGE_DTYPES;

/** A whitelisted Python global (`module.name`). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage named by a persistent id: its bytes live outside the pickle. */
export class StorageReference {
  constructor(
    readonly key: string,
    readonly storageClass: TorchStorageClass,
    readonly numel: number,
    /** Legacy storage views: `[root key, element offset, element count]`. */
    readonly view?: { rootKey: string; offset: number; numel: number },
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided window into a storage. */
export class TensorReference {
  constructor(
    readonly storage: StorageReference,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | PickleGlobal
  | StorageReference
  | TensorReference;

export interface UnpickleOptions {
  /** Where `BINPERSID` / `PERSID` ids go: PyTorch's `('storage', class, key, location, numel, ...)`. */
  persistentLoad: (id: PickleValue) => PickleValue;
  /** Names the file in error messages. */
  source?: string;
}

export interface UnpickleResult {
  value: PickleValue;
  /** Offset just past the STOP opcode (legacy checkpoints hold several pickles in a row). */
  end: number;
}

const STORAGE_GLOBALS = new Set(Object.keys(TORCH_STORAGE_DTYPES).map((name) => `torch.${name}`));

/** The globals a state dict needs; REDUCE calls only these (storages are never called). */
const CALLABLE_GLOBALS: Record<string, (args: PickleValue[], where: string) => PickleValue> = {
  'collections.OrderedDict': () => new Map(),
  // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  'torch._utils._rebuild_tensor_v2': (args, where) => rebuildTensor(args, where),
  // (storage, storage_offset, size, stride): checkpoints of torch < 1.0
  'torch._utils._rebuild_tensor': (args, where) => rebuildTensor(args, where),
  // (data, requires_grad, backward_hooks[, state]): an nn.Parameter is its data here
  'torch._utils._rebuild_parameter': (args, where) => parameterData(args, where),
  'torch._utils._rebuild_parameter_with_state': (args, where) => parameterData(args, where),
};

export const WHITELISTED_GLOBALS: readonly string[] = [...Object.keys(CALLABLE_GLOBALS), ...STORAGE_GLOBALS];

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/**
 * Reads one pickle starting at `start`.
 * @throws AttnkitError INVALID_FILE for a truncated or malformed pickle, an opcode outside the
 *   supported set, and any global not on the whitelist (`details.global` names it).
 */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): UnpickleResult {
  const source = options.source ?? 'the checkpoint';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let position = start;
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();

  const fail = (problem: string, details: Record<string, unknown> = {}): never => {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${source}: ${problem} (pickle offset ${position})`, { offset: position, ...details });
  };
  const need = (count: number): void => {
    if (count < 0 || position + count > bytes.length) fail(`the pickle is truncated: ${count} more bytes needed, ${bytes.length - position} left`);
  };
  const take = (count: number): Uint8Array => {
    need(count);
    const slice = bytes.subarray(position, position + count);
    position += count;
    return slice;
  };
  const u8 = (): number => {
    need(1);
    return bytes[position++];
  };
  const u32 = (): number => {
    need(4);
    const value = view.getUint32(position, true);
    position += 4;
    return value;
  };
  const u64 = (): number => {
    need(8);
    const value = view.getBigUint64(position, true);
    position += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`a length of ${value} bytes is beyond any file`);
    return Number(value);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) fail('the pickle is truncated: a text line has no end');
    const value = latin1.decode(bytes.subarray(position, end));
    position = end + 1;
    return value;
  };
  const pop = (): PickleValue => {
    const value = stack.pop();
    if (value === undefined || value === MARK) fail('the pickle pops from an empty stack');
    return value as PickleValue;
  };
  const top = (): PickleValue => {
    const value = stack[stack.length - 1];
    if (value === undefined || value === MARK) fail('the pickle reads an empty stack');
    return value as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const index = stack.lastIndexOf(MARK);
    if (index < 0) fail('the pickle has no MARK where one is needed');
    const items = stack.splice(index) as PickleValue[];
    items.shift();
    return items;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    if (!Object.hasOwn(CALLABLE_GLOBALS, qualified) && !STORAGE_GLOBALS.has(qualified)) {
      fail(
        `refused to load the Python global '${qualified}': a checkpoint may only name the globals a state dict needs ` +
          `(${WHITELISTED_GLOBALS.join(', ')}); nothing was executed. If you trust the file, load it in Python and ` +
          're-save only the state dict (torch.save(model.state_dict(), path)) or convert it to safetensors',
        { global: qualified, allowed: WHITELISTED_GLOBALS },
      );
    }
    return new PickleGlobal(module, name);
  };
  const setItems = (target: PickleValue, items: PickleValue[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (target as Map<PickleValue, PickleValue>).set(items[i], items[i + 1]);
  };
  const append = (target: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(target)) fail('APPEND(S) on something that is not a list');
    (target as PickleValue[]).push(...items);
  };

  for (;;) {
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: a length prefix only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return { value: pop(), end: position };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(position, true));
        position += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(position, true));
        position += 4;
        break;
      case 0x8a: // LONG1
        stack.push(littleEndianInteger(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(littleEndianInteger(take(u32())));
        break;
      case 0x49: {
        // INT (text): also the protocol-0 booleans I01 / I00
        const value = line();
        stack.push(value === '01' ? true : value === '00' ? false : parseTextInteger(value, fail));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseTextInteger(line().replace(/L$/, ''), fail));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(position, false));
        position += 8;
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number(line()));
        break;
      case 0x58: // BINUNICODE
        stack.push(decodeUtf8(text, take(u32()), fail));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(decodeUtf8(text, take(u8()), fail));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(decodeUtf8(text, take(u64()), fail));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const map = new Map<PickleValue, PickleValue>();
        setItems(map, popMark());
        stack.push(map);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof Set)) fail('ADDITEMS on something that is not a set');
        for (const item of items) (target as Set<PickleValue>).add(item);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT (text)
        memo.set(parseTextInteger(line(), fail) as number, top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET (text)
        const index = opcode === 0x68 ? u8() : opcode === 0x6a ? u32() : (parseTextInteger(line(), fail) as number);
        if (!memo.has(index)) fail(`the pickle reads memo entry ${index}, which was never written`);
        stack.push(memo.get(index) as PickleValue);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleGlobal) || !Object.hasOwn(CALLABLE_GLOBALS, callable.qualifiedName)) {
          fail(`REDUCE calls ${describe(callable)}, which is not a callable of the whitelist`);
        }
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(CALLABLE_GLOBALS[(callable as PickleGlobal).qualifiedName](args as PickleValue[], source));
        break;
      }
      case 0x62: {
        // BUILD: the instance state of an OrderedDict (its `_metadata`) or a Parameter; not needed
        pop();
        const target = top();
        if (!(target instanceof Map) && !(target instanceof TensorReference)) fail(`BUILD on ${describe(target)}`);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(options.persistentLoad(pop()));
        break;
      case 0x50: // PERSID (text)
        stack.push(options.persistentLoad(line()));
        break;
      default:
        fail(
          `unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')}` +
            (opcode === 0x81 || opcode === 0x92 || opcode === 0x69 || opcode === 0x6f
              ? ' (it instantiates a class: a state dict holds only dicts, lists, numbers, strings and tensors)'
              : ''),
          { opcode },
        );
    }
  }
}

function rebuildTensor(args: PickleValue[], source: string): TensorReference {
  const [storage, offset, size, stride] = args;
  const problem = (what: string) =>
    new AttnkitError(ErrorCodes.INVALID_FILE, `${source}: a tensor's ${what}`, { arguments: args.length });
  if (!(storage instanceof StorageReference)) throw problem('storage is not a storage');
  if (!isCount(offset)) throw problem(`storage offset ${String(offset)} is not a non-negative integer`);
  if (!Array.isArray(size) || !size.every(isCount)) throw problem(`size ${String(size)} is not a list of non-negative integers`);
  if (!Array.isArray(stride) || stride.length !== size.length || !stride.every(isCount)) {
    throw problem(`stride ${String(stride)} does not match its size [${(size as number[]).join(', ')}]`);
  }
  return new TensorReference(storage, offset as number, size as number[], stride as number[]);
}

function parameterData(args: PickleValue[], source: string): TensorReference {
  const [data] = args;
  if (!(data instanceof TensorReference)) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${source}: a Parameter whose data is ${describe(data)}, not a tensor`);
  }
  return data;
}

function isCount(value: PickleValue): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Two's-complement little-endian bytes as a number when safe, a bigint otherwise. */
function littleEndianInteger(data: Uint8Array): number | bigint {
  if (data.length === 0) return 0;
  let value = 0n;
  for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]);
  if (data[data.length - 1] & 0x80) value -= 1n << BigInt(8 * data.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInteger(value: string, fail: (problem: string) => never): number | bigint {
  if (!/^-?\d+$/.test(value)) fail(`'${value}' is not an integer`);
  const big = BigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function decodeUtf8(decoder: TextDecoder, data: Uint8Array, fail: (problem: string) => never): string {
  try {
    return decoder.decode(data);
  } catch {
    return fail('a string is not valid UTF-8');
  }
}

export function describe(value: PickleValue | undefined): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (value instanceof PickleGlobal) return `'${value.qualifiedName}'`;
  if (value instanceof TensorReference) return 'a tensor';
  if (value instanceof StorageReference) return 'a storage';
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'a list or tuple';
  return `${typeof value} ${String(value)}`;
}
