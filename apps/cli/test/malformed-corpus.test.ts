/**
 * A corpus of malformed and hostile inputs, generated here (no committed binaries), each run
 * through the built CLI as a user would: every case must end with a typed error (exit 2 and
 * `error <CODE>` on stderr, never a stack trace), leave its folder exactly as it was (no output,
 * no temporary), and stay within a memory bound (peak RSS of the process, measured by a preload).
 * Set ATTNKIT_CORPUS_REPORT=1 to print the per-class table (cases, typed errors, leftovers, peak).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeWeights, type Tensor, traceNetwork } from '@attnkit/core';
import { decodeModel, encodeModel, externalizeTensors, type OnnxModel } from '@attnkit/onnx';
import { createBackbone, writeSafetensors } from '@attnkit/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, requireBuilt, temporaryDirectory } from './test-support.js';

const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/', import.meta.url));
const preload = fileURLToPath(new URL('./peak-memory-preload.mjs', import.meta.url));
const root = temporaryDirectory('attnkit-corpus-');
/** Peak RSS a case may reach: the CLI with tfjs and onnxruntime loaded peaks near 130 MB on these cases. */
const MEMORY_BOUND = 512 * 2 ** 20;

interface Case {
  kind: string;
  name: string;
  /** Writes the case's files into `folder` and returns the CLI arguments (run with cwd = folder). */
  setup(folder: string): string[];
  /** The AttnkitError code; undefined for a usage error of the command line. */
  code?: string;
}

let tfjsBase: string;
const onnxModel = (): OnnxModel => decodeModel(new Uint8Array(readFileSync(join(fixtures, 'resnet18_w8.onnx'))));
const stateDict = (): Map<string, Tensor> => {
  const network = createBackbone('resnet18', { width: 8, numClasses: 10 });
  return initializeWeights(traceNetwork(network, [1, 3, 32, 32]), 0);
};
const weightsFile = (folder: string, tensors: Map<string, Tensor>): string => {
  writeFileSync(join(folder, 'w.safetensors'), writeSafetensors(tensors));
  return 'w.safetensors';
};
const exportWithWeights = (file: string) => ['export', 'resnet18', '--width', '8', '--num-classes', '10', '--input-size', '32', '--format', 'onnx', '--weights', file, '-o', 'out/m.onnx'];
/** A safetensors file from a raw header text and `dataBytes` zero bytes. */
const rawSafetensors = (folder: string, header: string, dataBytes: number, declaredLength?: number): string => {
  const headerBytes = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + headerBytes.length + dataBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, declaredLength ?? headerBytes.length, true);
  bytes.set(headerBytes, 8);
  writeFileSync(join(folder, 'w.safetensors'), bytes);
  return 'w.safetensors';
};
/** The exported tfjs model in `folder/m`, its model.json changed by `tamper`. */
const tfjsModel = (folder: string, tamper: (json: Record<string, any>, folder: string) => void): string[] => {
  cpSync(tfjsBase, join(folder, 'm'), { recursive: true });
  const path = join(folder, 'm', 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  tamper(json, join(folder, 'm'));
  writeFileSync(path, JSON.stringify(json));
  return ['run', 'm/model.json', '--iterations', '1'];
};
const onnxFile = (folder: string, tamper: (model: OnnxModel) => Uint8Array | undefined, name = 'm.onnx'): string => {
  const model = onnxModel();
  const data = tamper(model);
  writeFileSync(join(folder, name), encodeModel(model));
  if (data !== undefined) writeFileSync(join(folder, 'm.onnx.data'), data);
  return name;
};
/** The model with every initializer's data in `m.onnx.data`, the references then set to `location`. */
const externalAt = (location: string) => (model: OnnxModel) => {
  const data = externalizeTensors(model, new Set(model.graph.initializers.map((t) => t.name)), 'm.onnx.data');
  for (const tensor of model.graph.initializers) tensor.externalData = tensor.externalData!.map((entry) => (entry.key === 'location' ? { ...entry, value: location } : entry));
  return data;
};
const benchConfig = (folder: string, fields: Record<string, unknown>): string[] => {
  const config = {
    models: [{ backbone: 'resnet18', options: { width: 8, numClasses: 10 } }],
    attention: ['none'],
    backends: ['onnx-node'],
    inputSizes: [32],
    batchSizes: [1],
    measure: { iterations: 1 },
    threads: 1,
    machineLimit: { enabled: false },
    ...fields,
  };
  writeFileSync(join(folder, 'bench.json'), JSON.stringify(config));
  return ['bench', '-c', 'bench.json', '-o', 'results', '--no-progress'];
};
/** A tamper that points the manifest's only group at `paths`. */
const shardPaths = (paths: string[]) => (json: Record<string, any>) => {
  json.weightsManifest[0].paths = paths;
};
const insert = (model: string, ...rest: string[]) => ['insert', model, '--attention', 'eca', '--at', 'residual', '-o', 'out/x.onnx', ...rest];

const CASES: Case[] = [
  // Paths from inside a file that leave its folder.
  {
    kind: 'containment',
    name: 'tfjs shard ../outside.bin',
    code: 'UNSAFE_PATH',
    setup: (f) => {
      writeFileSync(join(f, 'outside.bin'), new Uint8Array(16));
      return tfjsModel(f, shardPaths(['../outside.bin']));
    },
  },
  { kind: 'containment', name: 'tfjs shard /etc/passwd', code: 'UNSAFE_PATH', setup: (f) => tfjsModel(f, shardPaths(['/etc/passwd'])) },
  { kind: 'containment', name: 'tfjs shard /dev/zero (endless)', code: 'UNSAFE_PATH', setup: (f) => tfjsModel(f, shardPaths(['/dev/zero'])) },
  {
    kind: 'containment',
    name: 'tfjs shard symlink out of the folder',
    code: 'UNSAFE_PATH',
    setup: (f) =>
      tfjsModel(f, (j, m) => {
        symlinkSync('/etc/hostname', join(m, 'link.bin'));
        shardPaths(['link.bin'])(j);
      }),
  },
  { kind: 'containment', name: 'onnx external data ../x (run)', code: 'UNSAFE_PATH', setup: (f) => ['run', onnxFile(f, externalAt('../m.onnx.data')), '--backend', 'onnx-node', '--iterations', '1'] },
  { kind: 'containment', name: 'onnx external data /dev/zero (insert)', code: 'UNSAFE_PATH', setup: (f) => insert(onnxFile(f, externalAt('/dev/zero'))) },
  {
    kind: 'containment',
    name: 'onnx external data range beyond its file',
    code: 'INVALID_FILE',
    setup: (f) =>
      insert(
        onnxFile(f, (model) => {
          const data = externalAt('m.onnx.data')(model);
          return data.subarray(0, data.length - 8);
        }),
      ),
  },
  // Sizes declared beyond limits or beyond the file.
  { kind: 'limits', name: 'safetensors header length 1 GiB', code: 'LIMIT_EXCEEDED', setup: (f) => exportWithWeights(rawSafetensors(f, '{}', 0, 2 ** 30)) },
  { kind: 'limits', name: 'tfjs manifest naming one shard 3000 times', code: 'INVALID_FILE', setup: (f) => tfjsModel(f, shardPaths(Array.from({ length: 3000 }, () => 'weights.bin'))) },
  { kind: 'limits', name: '--weights /dev/zero', code: 'INVALID_FILE', setup: () => exportWithWeights('/dev/zero') },
  { kind: 'limits', name: '--input-size 100000', code: 'LIMIT_EXCEEDED', setup: () => ['export', 'resnet18', '--input-size', '100000', '-o', 'out'] },
  { kind: 'limits', name: '--input-size above 2^53', code: 'LIMIT_EXCEEDED', setup: () => ['run', 'resnet18', '--input-size', '9007199254740993'] },
  { kind: 'limits', name: '--width 1000000 (parameters beyond the element limit)', code: 'LIMIT_EXCEEDED', setup: () => ['export', 'resnet18', '--width', '1000000', '-o', 'out'] },
  {
    kind: 'limits',
    name: 'onnx initializer of 2^32 elements',
    code: 'LIMIT_EXCEEDED',
    setup: (f) => ['run', onnxFile(f, (m) => {
        m.graph.initializers.push({ name: 'huge', dataType: 1, dims: [65536, 65536], rawData: new Uint8Array(4) });
        return undefined;
      }), '--backend', 'onnx-node'],
  },
  { kind: 'limits', name: 'bench threads 100000', code: 'LIMIT_EXCEEDED', setup: (f) => benchConfig(f, { threads: 100000 }) },
  { kind: 'limits', name: 'bench inputSizes [100000]', code: 'LIMIT_EXCEEDED', setup: (f) => benchConfig(f, { inputSizes: [100000] }) },
  { kind: 'limits', name: 'bench batchSizes [1e8]', code: 'LIMIT_EXCEEDED', setup: (f) => benchConfig(f, { batchSizes: [100000000] }) },
  { kind: 'limits', name: 'bench estimated at 2000 s without --yes', code: 'LIMIT_EXCEEDED', setup: (f) => benchConfig(f, { attention: ['none', 'eca'], measure: { secondsPerCell: 1000 } }) },
  // File-system faults and runtime errors: typed, not a stack trace.
  {
    kind: 'faults',
    name: 'export -o onto a folder named m.onnx',
    code: 'IO_ERROR',
    setup: (f) => {
      mkdirSync(join(f, 'm.onnx'));
      return ['export', 'resnet18', '--width', '8', '--input-size', '32', '--format', 'onnx', '-o', 'm.onnx'];
    },
  },
  {
    kind: 'faults',
    name: 'export -o below a file',
    code: 'IO_ERROR',
    setup: (f) => {
      writeFileSync(join(f, 'plain'), 'x');
      return ['export', 'resnet18', '--width', '8', '--input-size', '32', '--format', 'onnx', '-o', 'plain/m.onnx'];
    },
  },
  {
    kind: 'faults',
    name: 'run on a folder named m.onnx',
    code: 'INVALID_FILE',
    setup: (f) => {
      mkdirSync(join(f, 'm.onnx'));
      return ['run', 'm.onnx', '--backend', 'onnx-node'];
    },
  },
  {
    kind: 'faults',
    name: 'tfjs model.json with an unknown layer class',
    code: 'INVALID_FILE',
    setup: (f) =>
      tfjsModel(f, (j) => {
        j.modelTopology.config.layers[1].class_name = 'NoSuchLayer';
      }),
  },
  {
    kind: 'faults',
    name: 'tfjs short weights (shard truncated)',
    code: 'INVALID_FILE',
    setup: (f) => tfjsModel(f, (_, m) => writeFileSync(join(m, 'weights.bin'), readFileSync(join(m, 'weights.bin')).subarray(0, 100))),
  },
  {
    kind: 'faults',
    name: 'tfjs manifest missing a weight entry',
    code: 'INVALID_FILE',
    setup: (f) =>
      tfjsModel(f, (j, m) => {
        const removed = j.weightsManifest[0].weights.pop();
        const bytes = 4 * removed.shape.reduce((a: number, b: number) => a * b, 1);
        const shard = readFileSync(join(m, 'weights.bin'));
        writeFileSync(join(m, 'weights.bin'), shard.subarray(0, shard.length - bytes));
      }),
  },
  { kind: 'faults', name: 'onnx negative input dim', code: 'INVALID_FILE', setup: (f) => ['run', onnxFile(f, (m) => {
        (m.graph.inputs[0].type as { shape: number[] }).shape[1] = -3;
        return undefined;
      }), '--backend', 'onnx-node'] },
  { kind: 'faults', name: 'onnx without outputs', code: 'INVALID_FILE', setup: (f) => ['run', onnxFile(f, (m) => {
        m.graph.outputs = [];
        return undefined;
      }), '--backend', 'onnx-node'] },
  { kind: 'faults', name: 'onnx uint8 input', code: 'INVALID_FILE', setup: (f) => ['run', onnxFile(f, (m) => {
        (m.graph.inputs[0].type as { elemType: number }).elemType = 2;
        return undefined;
      }), '--backend', 'onnx-node', '--iterations', '1'] },
  { kind: 'faults', name: 'an unknown option', setup: () => ['export', 'resnet18', '--no-such-option'] },
  // Content that parses but is wrong.
  {
    kind: 'content',
    name: 'NaN in a weight',
    code: 'INVALID_VALUE',
    setup: (f) => {
      const tensors = stateDict();
      tensors.get('conv1.weight')!.data[5] = Number.NaN;
      return exportWithWeights(weightsFile(f, tensors));
    },
  },
  {
    kind: 'content',
    name: 'negative BatchNorm running_var',
    code: 'INVALID_VALUE',
    setup: (f) => {
      const tensors = stateDict();
      tensors.get('bn1.running_var')!.data[0] = -1;
      return exportWithWeights(weightsFile(f, tensors));
    },
  },
  {
    kind: 'content',
    name: 'duplicate safetensors key',
    code: 'INVALID_FILE',
    setup: (f) => exportWithWeights(rawSafetensors(f, '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)),
  },
  { kind: 'content', name: 'safetensors trailing bytes', code: 'INVALID_FILE', setup: (f) => exportWithWeights(rawSafetensors(f, '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 12)) },
  {
    kind: 'content',
    name: 'onnx initializer raw_data shorter than its dims (insert)',
    code: 'INVALID_FILE',
    setup: (f) => insert(onnxFile(f, (m) => {
        m.graph.initializers[0].rawData = m.graph.initializers[0].rawData!.subarray(4);
        return undefined;
      })),
  },
  {
    kind: 'content',
    name: 'insert --weights with a whole backbone (unused keys)',
    code: 'WEIGHTS_MISMATCH',
    setup: (f) => insert(join(fixtures, 'resnet18_w8.onnx'), '--weights', weightsFile(f, stateDict())),
  },
  {
    kind: 'content',
    name: 'insert --weights trained with k = 3, spec k = 5',
    code: 'KERNEL_SIZE_MISMATCH',
    setup: () => ['insert', join(fixtures, 'resnet18_w8.onnx'), '--attention', '{"type":"eca","kernelSize":5}', '--at', 'residual', '--weights', join(fixtures, 'resnet18_w8_eca_weights.safetensors'), '-o', 'out/x.onnx'],
  },
  { kind: 'content', name: 'a 5-entry per-stage list for a 4-stage ResNet', code: 'INVALID_KERNEL_SIZE', setup: () => ['export', 'resnet18', '--attention', '{"type":"eca","kernelSize":[3,5,5,7,9]}', '-o', 'out'] },
  { kind: 'content', name: 'the same --at name twice', code: 'INVALID_OPTION', setup: () => ['insert', join(fixtures, 'resnet18_w8.onnx'), '--attention', 'eca', '--at', '/layer1/layer1.0/Add,/layer1/layer1.0/Add', '-o', 'out/x.onnx'] },
  // Bench configs refused before anything runs.
  {
    kind: 'bench config',
    name: 'a model path that is not a model',
    code: 'INVALID_CONFIG',
    setup: (f) => {
      writeFileSync(join(f, 'not.onnx'), 'hello');
      return benchConfig(f, { models: ['not.onnx'] });
    },
  },
  { kind: 'bench config', name: 'options.width -3', code: 'INVALID_CONFIG', setup: (f) => benchConfig(f, { models: [{ backbone: 'resnet18', options: { width: -3 } }] }) },
];

/** Every path under `folder` with its size, so a leftover or a changed file shows. */
function listing(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      out.push(`${relative(folder, path)} ${info?.isDirectory() ? 'dir' : (info?.size ?? 'link')}`);
      if (info?.isDirectory()) walk(path);
    }
  };
  walk(folder);
  return out.sort();
}

const summary = new Map<string, { cases: number; typed: number; leftovers: number; peak: number }>();

beforeAll(() => {
  requireBuilt(builtCli);
  tfjsBase = join(root, 'tfjs-base');
  const made = spawnSync(process.execPath, [builtCli, 'export', 'resnet18', '--width', '8', '--input-size', '32', '--num-classes', '10', '--format', 'tfjs', '-o', tfjsBase], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
}, 120_000);

afterAll(() => {
  if (!process.env.ATTNKIT_CORPUS_REPORT) return;
  const rows = [...summary].map(([kind, s]) => `| ${kind} | ${s.cases} | ${s.typed} | ${s.leftovers} | ${(s.peak / 2 ** 20).toFixed(0)} MB |`);
  process.stdout.write(`| case class | cases | typed errors | leftovers | peak memory |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
});

describe('the malformed-file corpus through the built CLI', () => {
  it.each(CASES.map((c, i) => [c.kind, c.name, i] as const))('%s: %s', (kind, _, index) => {
    const entry = CASES[index];
    const folder = join(root, `case-${index}`);
    mkdirSync(folder);
    const args = entry.setup(folder);
    const before = listing(folder);
    const memoryFile = join(root, `case-${index}.rss`);
    const result = spawnSync(process.execPath, ['--import', preload, builtCli, ...args], {
      cwd: folder,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ATTNKIT_PEAK_MEMORY_FILE: memoryFile },
    });
    const peak = Number(readFileSync(memoryFile, 'utf8'));
    const after = listing(folder);
    const row = summary.get(kind) ?? { cases: 0, typed: 0, leftovers: 0, peak: 0 };
    const typed = result.status === 2 && (entry.code === undefined ? /unknown option/.test(result.stderr) : result.stderr.includes(`attnkit: error ${entry.code}: `));
    summary.set(kind, { cases: row.cases + 1, typed: row.typed + (typed ? 1 : 0), leftovers: row.leftovers + after.filter((line) => !before.includes(line)).length, peak: Math.max(row.peak, peak) });

    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect({ status: result.status, code: entry.code === undefined ? undefined : /error ([A-Z_]+):/.exec(result.stderr)?.[1] }).toEqual({ status: 2, code: entry.code });
    expect(after).toEqual(before);
    expect(existsSync(join(folder, 'out'))).toBe(false);
    expect(peak).toBeLessThan(MEMORY_BOUND);
    rmSync(folder, { recursive: true, force: true });
  });
});

describe('--debug', () => {
  it('adds the stack trace to a typed error, anywhere on the line, and keeps exit 2', () => {
    const folder = join(root, 'debug');
    mkdirSync(join(folder, 'm.onnx'), { recursive: true });
    const plain = spawnSync(process.execPath, [builtCli, 'run', 'm.onnx', '--backend', 'onnx-node'], { cwd: folder, encoding: 'utf8' });
    const debug = spawnSync(process.execPath, [builtCli, 'run', '--debug', 'm.onnx', '--backend', 'onnx-node'], { cwd: folder, encoding: 'utf8' });
    expect([plain.status, debug.status]).toEqual([2, 2]);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(debug.stderr).toContain('attnkit: error INVALID_FILE: ');
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
