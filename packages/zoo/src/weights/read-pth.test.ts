import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { thrownAttnkitError as errorOf } from '@attnkit/tools/test-errors';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readPth } from './read-pth.js';
import { readStateDict } from './read-state-dict.js';
import { writeSafetensors } from './write-safetensors.js';

const FIXTURES = fileURLToPath(new URL('../../../../tools/golden/fixtures/pth/', import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(`${FIXTURES}${name}`));

interface Expected {
  zipEntries: string[];
  tensors: Record<string, { dtype: string; shape: number[]; data: number[] }>;
}
const expected = JSON.parse(readFileSync(`${FIXTURES}state_dict.json`, 'utf8')) as Expected;
const DTYPE_NAMES: Record<string, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64', int64: 'I64' };

// tools/golden/make_golden_pth.py: one state dict saved by Debian's torch in both formats, with
// fp16 / bf16 / f64 / int64 tensors, three views of one storage (whole, offset 6, strided), a
// transposed matrix and an nn.Parameter. torch.load of each file gives back exactly these values.
describe.each([
  ['state_dict_zip.pth', 'zip'],
  ['state_dict_legacy.pth', 'legacy'],
] as const)('%s', (file, format) => {
  const contents = readPth(read(file));

  it(`is read as the ${format} format, every tensor in file order with its dtype`, () => {
    expect(contents.format).toBe(format);
    expect([...contents.tensors.keys()]).toEqual(Object.keys(expected.tensors));
    for (const [name, want] of Object.entries(expected.tensors)) expect(contents.dtypes.get(name), name).toBe(DTYPE_NAMES[want.dtype]);
  });

  it('gives torch.load values exactly: views at offsets, strided and transposed tensors materialized row-major', () => {
    for (const [name, want] of Object.entries(expected.tensors)) {
      const tensor = contents.tensors.get(name)!;
      expect(tensor.shape, name).toEqual(want.shape);
      expect([...tensor.data], name).toEqual([...Float32Array.from(want.data)]);
    }
    // Hand-checkable: shared.offset is base[6:18] as [3, 4]; shared.strided is columns 1, 3, 5 of base as [4, 6].
    const base = contents.tensors.get('shared.whole')!.data;
    expect([...contents.tensors.get('shared.offset')!.data]).toEqual([...base.subarray(6, 18)]);
    expect([...contents.tensors.get('shared.strided')!.data]).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23].map((i) => base[i]));
    expect(contents.tensors.get('bn.num_batches_tracked')!.data[0]).toBe(12345);
  });

  it('gives tensors that own their data (writing one leaves its storage-mates alone)', () => {
    const again = readPth(read(file));
    const whole = again.tensors.get('shared.whole')!;
    const before = again.tensors.get('shared.offset')!.data[0];
    whole.data[6] = 1234;
    expect(again.tensors.get('shared.offset')!.data[0]).toBe(before);
  });
});

describe('nested training checkpoints', () => {
  it.each(['checkpoint_nested.pth.tar', 'checkpoint_nested_legacy.pth.tar'])('%s: picks state_dict and says so; other entries are skipped', (file) => {
    const contents = readPth(read(file));
    expect(contents.stateDictKey).toBe('state_dict');
    expect(contents.skipped).toEqual(['epoch', 'arch', 'best_acc1', 'optimizer']);
    // DataParallel's prefix is kept here; loadStateDict drops it when matching names.
    expect([...contents.tensors.keys()]).toEqual(Object.keys(expected.tensors).map((name) => `module.${name}`));
    expect([...contents.tensors.get('module.fc.weight')!.data]).toEqual([...Float32Array.from(expected.tensors["fc.weight"].data)]);
  });

  it('takes an explicit key, and refuses one the checkpoint lacks, listing the keys', () => {
    expect(readPth(read('checkpoint_nested.pth.tar'), { key: 'state_dict' }).tensors.size).toBe(Object.keys(expected.tensors).length);
    const error = errorOf(() => readPth(read('checkpoint_nested.pth.tar'), { key: 'ema' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain("key 'ema' is not in the checkpoint; its keys are epoch, arch, best_acc1, state_dict, optimizer");
    expect(errorOf(() => readPth(read('checkpoint_nested.pth.tar'), { key: 'epoch' })).message).toContain("key 'epoch' is not a dict of tensors");
  });
});

describe('refusals', () => {
  it.each(['malicious.pth', 'malicious_legacy.pth'])('%s: a global that would run os.system is refused by name; nothing runs', (file) => {
    const error = errorOf(() => readPth(read(file), { source: file }));
    expect(error.code).toBe('INVALID_FILE');
    expect(error.details.global).toBe('posix.system');
    expect(error.message).toContain("refused to load the Python global 'posix.system'");
    expect(error.message).toContain('nothing was executed');
  });

  it('refuses a storage entry whose size differs from what the pickle declares, before inflating it', () => {
    const files = unzipSync(read('state_dict_zip.pth'));
    files['state_dict_zip/data/0'] = files['state_dict_zip/data/0'].subarray(4);
    const error = errorOf(() => readPth(zipSync(files, { level: 0 })));
    expect(error.code).toBe('INVALID_FILE');
    expect(error.message).toMatch(/zip entry state_dict_zip\/data\/0 holds \d+ bytes but its storage declares \d+ x \d+ = \d+/);
  });

  it('refuses a truncated legacy file, naming the storage that is cut', () => {
    const bytes = read('state_dict_legacy.pth');
    const error = errorOf(() => readPth(bytes.subarray(0, bytes.length - 10)));
    expect(error.code).toBe('INVALID_FILE');
    expect(error.message).toMatch(/storage \d+ needs \d+ bytes but \d+ are left \(truncated\)/);
  });

  it('refuses a tensor that reaches past its storage', () => {
    // A hand-made pickle: _rebuild_tensor_v2(storage of 4 floats, offset 2, size [3], stride [1]).
    const pickle = new Uint8Array([
      0x80, 0x02, 0x7d, 0x28, // PROTO 2, EMPTY_DICT, MARK
      0x8c, 0x01, 0x77, // 'w'
      0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'),
      0x28, 0x28, 0x8c, 0x07, ...ascii('storage'), 0x63, ...ascii('torch\nFloatStorage\n'), 0x8c, 0x01, 0x30, 0x8c, 0x03, ...ascii('cpu'), 0x4b, 0x04, 0x74, 0x51, // pid -> BINPERSID
      0x4b, 0x02, 0x4b, 0x03, 0x85, 0x4b, 0x01, 0x85, 0x89, 0x4e, 0x74, 0x52, // offset 2, (3,), (1,), False, None -> REDUCE
      0x75, 0x2e, // SETITEMS, STOP
    ]);
    const archive = zipSync({ 'x/data.pkl': pickle, 'x/data/0': new Uint8Array(16) }, { level: 0 });
    const error = errorOf(() => readPth(archive));
    expect(error.message).toContain('tensor w [3] at offset 2 with strides [1] reaches element 4 of a 4-element storage');
  });

  it('refuses bytes of neither format and a zip without data.pkl', () => {
    expect(errorOf(() => readPth(new Uint8Array([1, 2, 3, 4]))).message).toContain('neither a zip archive nor a pickle stream');
    expect(errorOf(() => readPth(zipSync({ 'a.txt': new Uint8Array(3) }))).message).toContain('no <name>/data.pkl');
  });
});

describe('readStateDict detects the format from the content, not the name', () => {
  it('a safetensors file whose header length starts like a pickle (0x80 0x01: 384 bytes) is safetensors', () => {
    let bytes: Uint8Array = new Uint8Array();
    for (let pad = 0; pad < 400; pad++) {
      bytes = writeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }, { metadata: { note: 'x'.repeat(pad) } });
      if (bytes[0] === 0x80 && bytes[1] === 0x01) break;
    }
    expect([bytes[0], bytes[1], bytes[8]]).toEqual([0x80, 0x01, 0x7b]);
    const read = readStateDict(bytes);
    expect(read.format).toBe('safetensors');
    expect([...read.tensors.get('w')!.data]).toEqual([1, 2]);
  });

  it('safetensors, pth zip and pth legacy', () => {
    const safetensors = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../../tools/golden/fixtures/zoo/resnet18_eca.safetensors', import.meta.url))));
    expect(readStateDict(safetensors).format).toBe('safetensors');
    expect(readStateDict(read('state_dict_zip.pth')).format).toBe('pth-zip');
    const legacy = readStateDict(read('checkpoint_nested_legacy.pth.tar'));
    expect([legacy.format, legacy.stateDictKey]).toEqual(['pth-legacy', 'state_dict']);
  });
});

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}
