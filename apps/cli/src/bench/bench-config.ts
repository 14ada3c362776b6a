import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { AttnkitError, type AttentionSpec, ErrorCodes, createAttention, isAttnkitError, listAttention, optionsJsonSchema } from '@attnkit/core';
import { z } from 'zod';

/**
 * The bench config: a matrix of models x attention specs x backends x input sizes x batch sizes,
 * with warm-up, a time budget (or a fixed count) per cell, threads and a seed. Validated here,
 * before anything is built or run; published as JSON Schema (`schema/bench-config.schema.json`).
 */

/** The backends `attnkit bench` knows, in the order the report lists them. */
export const benchBackendNames = ['onnx-node', 'onnx-wasm', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type BenchBackendName = (typeof benchBackendNames)[number];

/**
 * The zoo's backbone names (DESIGN.md). Kept here so the schema does not depend on the zoo being
 * built; `bench-config.test.ts` checks it against the zoo's `listBackbones()` once that exists.
 */
export const zooBackboneNames = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'mobilenet_v2',
  // timm's ResNet family (zoo's timm-resnet.ts)
  'resnet10t',
  'resnet14t',
  'resnet18d',
  'resnet26d',
  'resnet26t',
  'resnet34d',
  'resnet50d',
  'resnet50t',
  'resnet101d',
  'resnet152d',
  'resnet200d',
  'ecaresnet26t',
  'ecaresnet50d',
  'ecaresnet50t',
  'ecaresnet101d',
  'ecaresnet200d',
  'ecaresnet269d',
  'ecaresnetlight',
  'seresnet18',
  'seresnet34',
  'seresnet50',
  'seresnet50t',
  'seresnet101',
  'seresnet152',
  'seresnet152d',
] as const;

const positiveInteger = z.int().min(1);

const userModelExtensions = ['.onnx', '.json'];
const isUserModelPath = (value: string) => userModelExtensions.some((ext) => value.toLowerCase().endsWith(ext));

const attentionEntry = z
  .union([
    z.string().min(1).meta({ description: "'none' for the plain network, or a registered attention id ('eca', 'se', 'cbam', ...)" }),
    z
      .looseObject({ type: z.string().min(1) })
      .meta({ description: "an attention spec with options, e.g. { \"type\": \"eca\", \"kernelSize\": [3, 5, 5, 7] }" }),
  ])
  .meta({ id: 'AttentionEntry' });

const modelObject = z
  .strictObject({
    backbone: z.string().optional().meta({ description: `a zoo backbone: ${zooBackboneNames.join(', ')}` }),
    path: z
      .string()
      .optional()
      .meta({ description: 'your own model: a .onnx file or a tfjs model.json, relative to this config file' }),
    label: z.string().min(1).optional().meta({ description: 'the name shown in tables and charts (default: the backbone name or the file name)' }),
    options: z.record(z.string(), z.unknown()).optional().meta({ description: "options passed to the zoo's createBackbone (e.g. numClasses)" }),
    insertAt: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .meta({ description: "for a model file: where attention is inserted ('residual', or a list of layer / node names); default 'residual'" }),
    attention: z.array(attentionEntry).min(1).optional().meta({ description: 'overrides the top-level attention list for this model' }),
    backends: z.array(z.enum(benchBackendNames)).min(1).optional().meta({ description: 'overrides the top-level backend list for this model' }),
    threads: z
      .union([z.int().min(1), z.array(z.int().min(1)).min(1)])
      .optional()
      .meta({ description: 'overrides the top-level thread counts for this model, on each of its backends' }),
    sameNetworkAs: z
      .string()
      .optional()
      .meta({ description: 'a zoo backbone this file is another export of (e.g. a torch.onnx.export of resnet50); the report compares their latencies' }),
    weightsFrom: z
      .string()
      .min(1)
      .optional()
      .meta({
        description:
          "for a .onnx file whose initializers were stripped (tools/strip-onnx-weights.mjs): a zoo model (the label of a zoo entry of this config, or a backbone name) whose emitted, BatchNorm-folded weights fill them, matched by node name and input position; the bench checks that both give the same output",
      }),
    optional: z
      .boolean()
      .default(false)
      .meta({ description: 'when the file is missing, report its cells as not available instead of refusing the config' }),
  })
  .meta({ id: 'ModelObject' });

const threadCounts = z.union([positiveInteger, z.array(positiveInteger).min(1)]);
const threadsSetting = z.union([threadCounts, z.partialRecord(z.enum(benchBackendNames), threadCounts)]);

const extraMatrix = z
  .strictObject({
    models: z.array(z.string().min(1)).min(1).meta({ description: 'labels of models listed in `models`' }),
    backends: z.array(z.enum(benchBackendNames)).min(1).optional().meta({ description: "default: each model's backends" }),
    attention: z.array(attentionEntry).min(1).optional().meta({ description: "default: each model's attention list ('none' is added)" }),
    inputSizes: z.array(z.int().min(8)).min(1).optional(),
    batchSizes: z.array(positiveInteger).min(1).optional(),
    threads: threadCounts.optional().meta({ description: 'default: the top-level threads of each backend' }),
  })
  .meta({ id: 'ExtraMatrix' });

const modelEntry = z.union([
  z.string().min(1).meta({ description: `a zoo backbone (${zooBackboneNames.join(', ')}) or a path to a .onnx / tfjs model.json` }),
  modelObject,
]);

export const benchConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    models: z.array(modelEntry).min(1).meta({ description: 'zoo backbones and/or model files' }),
    attention: z.array(attentionEntry).min(1).meta({ description: "attention specs; 'none' (the baseline of every overhead) is added when missing" }),
    backends: z.array(z.enum(benchBackendNames)).min(1),
    inputSizes: z.array(z.int().min(8)).min(1).default([224]).meta({ description: 'square input sizes H = W' }),
    batchSizes: z.array(positiveInteger).min(1).default([1]),
    warmup: z
      .strictObject({
        minIterations: positiveInteger.default(3),
        maxIterations: positiveInteger.default(50),
        maxSeconds: z.number().positive().default(20).meta({ description: 'cap on warm-up time per cell' }),
        stableWithin: z
          .number()
          .positive()
          .max(1)
          .default(0.05)
          .meta({ description: 'warm-up ends when the last `window` latencies are within this relative spread of their median' }),
        window: z.int().min(2).default(3),
      })
      .default({ minIterations: 3, maxIterations: 50, maxSeconds: 20, stableWithin: 0.05, window: 3 }),
    measure: z
      .strictObject({
        secondsPerCell: z.number().positive().optional().meta({ description: 'time budget per cell (stop when spent)' }),
        iterations: positiveInteger.optional().meta({ description: 'fixed number of timed runs per cell (instead of a time budget)' }),
        minIterations: positiveInteger.default(5).meta({ description: 'with a time budget: at least this many runs' }),
        maxIterations: positiveInteger.default(1000).meta({ description: 'with a time budget: at most this many runs' }),
        iterationsPerRound: positiveInteger.default(2).meta({ description: 'runs of one cell per round-robin turn' }),
      })
      .default({ secondsPerCell: 5, minIterations: 5, maxIterations: 1000, iterationsPerRound: 2 }),
    schedule: z
      .enum(['group', 'all'])
      .default('group')
      .meta({
        description:
          "'group': prepare and interleave the cells of one (model, backend) at a time (bounded memory); 'all': prepare every cell and interleave them all",
      }),
    threads: threadsSetting.default(2).meta({
      description:
        'intra-op threads: one count or a list for every backend, or per backend ({ "onnx-node": [1, 2] }); each count gets its own cells. onnxruntime-web and tfjs-backend-wasm fix their threads once per process, so their further counts run in a child process',
    }),
    extra: z
      .array(extraMatrix)
      .default([])
      .meta({ description: 'more cells: sub-matrices of listed models, e.g. a larger batch on one backend only' }),
    seed: z.int().min(0).default(0).meta({ description: 'seed of the weights (initializeWeights) and of the input (randomTensor)' }),
    reference: z.enum(benchBackendNames).optional().meta({ description: 'backend whose outputs the others are compared with (default: the first listed)' }),
    tfjsPredict: z
      .enum(['baseline', 'all', 'off'])
      .default('baseline')
      .meta({
        description:
          "tfjs backends also time LayersModel.predict beside compileInference's fast path: for the plain network only ('baseline'), for every attention ('all'), or not at all ('off')",
      }),
    machineLimit: z
      .strictObject({
        enabled: z.boolean().default(true),
        matMulSizes: z
          .array(z.int().min(16))
          .min(1)
          .default([256, 512, 1024])
          .meta({ description: 'M = K = N of the fp32 MatMuls timed per runtime family (beside 1x1 / 3x3 convolutions)' }),
        secondsPerKernel: z.number().positive().default(0.6).meta({ description: 'time budget per kernel and thread count' }),
      })
      .default({ enabled: true, matMulSizes: [256, 512, 1024], secondsPerKernel: 0.6 }),
  })
  .meta({ title: 'attnkit bench config', description: 'models x attention x backends x input sizes x batch sizes, measured by `attnkit bench`' });

export type BenchConfigInput = z.input<typeof benchConfigSchema>;
type ParsedConfig = z.output<typeof benchConfigSchema>;

export interface BenchModel {
  /** Shown in tables and charts. */
  label: string;
  source: { kind: 'zoo'; backbone: string; options: Record<string, unknown> } | { kind: 'file'; path: string; format: 'onnx' | 'tfjs'; insertAt: string | string[] };
  attention: AttentionEntry[];
  backends: BenchBackendName[];
  /** Thread counts for this model on every backend, instead of the top level's. */
  threads?: number[];
  sameNetworkAs?: string;
  /**
   * A .onnx file whose initializers are filled from a zoo model's emitted weights (same seed):
   * the zoo entry's label (its weights cache key) and how to build it.
   */
  weightsFrom?: { label: string; backbone: string; options: Record<string, unknown> };
  /** Why the model cannot run at all (an optional file that is missing). */
  unavailable?: string;
}

export interface AttentionEntry {
  /** 'none', 'eca', or a label for a spec with options (`eca{"kernelSize":5}`). */
  label: string;
  spec: AttentionSpec | undefined;
}

/** A sub-matrix of `extra`, resolved: its models by label, attention checked. */
export interface ExtraMatrix {
  models: string[];
  backends?: BenchBackendName[];
  attention?: AttentionEntry[];
  inputSizes?: number[];
  batchSizes?: number[];
  threads?: number[];
}

export interface BenchConfig extends Omit<ParsedConfig, 'models' | 'attention' | '$schema' | 'threads' | 'extra'> {
  models: BenchModel[];
  attention: AttentionEntry[];
  /** Thread counts per backend (every backend has at least one). */
  threads: Record<BenchBackendName, number[]>;
  extra: ExtraMatrix[];
  reference: BenchBackendName;
  /** Where the config came from, for the report. */
  source: string;
}

export interface ConfigIssue {
  path: string;
  message: string;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text ? `.${String(key)}` : String(key);
  return text || '(root)';
}

function attentionLabel(spec: AttentionSpec | undefined): string {
  if (spec === undefined) return 'none';
  if (typeof spec === 'string') return spec;
  const { type, ...options } = spec;
  return Object.keys(options).length ? `${type}${JSON.stringify(options)}` : type;
}

/** Checks an attention entry with core's own validation (the same message a build would give). */
function checkAttention(entry: unknown, path: string, issues: ConfigIssue[]): AttentionEntry | undefined {
  if (entry === 'none') return { label: 'none', spec: undefined };
  try {
    // The channel count only matters for k; 64 is valid for every registered module.
    createAttention(entry as AttentionSpec, 64);
    return { label: attentionLabel(entry as AttentionSpec), spec: entry as AttentionSpec };
  } catch (error) {
    if (!isAttnkitError(error)) throw error;
    const known = ['none', ...listAttention().map((d) => d.id)];
    const message = error.code === ErrorCodes.UNKNOWN_MODULE ? `unknown attention; allowed: ${known.map((id) => `'${id}'`).join(', ')} or an object { type, ...options }` : error.message;
    issues.push({ path, message });
    return undefined;
  }
}

/**
 * Parses and validates a config object. Every bad field is reported at once, each with its path
 * and what is allowed; nothing is returned unless the whole config is valid.
 */
export function parseBenchConfig(input: unknown, options: { configPath?: string } = {}): BenchConfig {
  const baseDirectory = options.configPath ? dirname(resolve(options.configPath)) : process.cwd();
  const parsed = benchConfigSchema.safeParse(input);
  const issues: ConfigIssue[] = [];
  if (!parsed.success) for (const issue of parsed.error.issues) issues.push({ path: formatPath(issue.path), message: issue.message });
  // The checks below also run when the schema failed, on whatever is well-formed, so one pass
  // lists every bad field.
  const raw = (parsed.success ? parsed.data : input) as Partial<ParsedConfig>;
  const rawAttention = Array.isArray(raw?.attention) ? raw.attention : [];
  const rawModels = Array.isArray(raw?.models) ? raw.models : [];
  const rawBackends = (Array.isArray(raw?.backends) ? raw.backends : []) as BenchBackendName[];
  const flagged = (path: string) => issues.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
  const attention = rawAttention.map((entry, i) => (flagged(`attention[${i}]`) ? undefined : checkAttention(entry, `attention[${i}]`, issues)));
  const models: BenchModel[] = [];
  rawModels.forEach((entry, i) => {
    const path = `models[${i}]`;
    if (flagged(path) || entry === null || (typeof entry !== 'string' && typeof entry !== 'object')) return;
    const object: Partial<z.output<typeof modelObject>> = typeof entry === 'string' ? (isUserModelPath(entry) ? { path: entry } : { backbone: entry }) : entry;
    const modelAttention = object.attention?.map((a, j) => checkAttention(a, `${path}.attention[${j}]`, issues)) ?? attention;
    const backends = object.backends ?? rawBackends;
    if ((object.backbone === undefined) === (object.path === undefined)) {
      issues.push({ path, message: 'give exactly one of backbone (a zoo name) or path (a .onnx or model.json file)' });
      return;
    }
    if (object.backbone !== undefined) {
      if (!(zooBackboneNames as readonly string[]).includes(object.backbone)) {
        const where = typeof entry === 'string' ? path : `${path}.backbone`;
        issues.push({
          path: where,
          message: `unknown backbone '${object.backbone}'; allowed: ${zooBackboneNames.join(', ')}, or a path ending in .onnx or .json`,
        });
        return;
      }
      if (object.sameNetworkAs !== undefined) issues.push({ path: `${path}.sameNetworkAs`, message: 'only a model file can be another export of a zoo backbone' });
      if (object.weightsFrom !== undefined) issues.push({ path: `${path}.weightsFrom`, message: 'only a .onnx model file can take its weights from a zoo model' });
      models.push({
        label: object.label ?? object.backbone,
        source: { kind: 'zoo', backbone: object.backbone, options: object.options ?? {} },
        attention: withBaseline(modelAttention),
        backends,
        ...threadsOf(object.threads),
      });
      return;
    }
    const file = object.path as string;
    const where = typeof entry === 'string' ? path : `${path}.path`;
    if (!isUserModelPath(file)) {
      issues.push({ path: where, message: `'${file}' is neither a .onnx file nor a tfjs model.json` });
      return;
    }
    const absolute = isAbsolute(file) ? file : resolve(baseDirectory, file);
    const optional = typeof entry === 'string' ? false : entry.optional === true;
    let unavailable: string | undefined;
    if (!existsSync(absolute)) {
      if (!optional) {
        issues.push({ path: where, message: `file not found: ${absolute} (set "optional": true to report it as not available instead)` });
        return;
      }
      unavailable = `file not found: ${absolute}`;
    }
    if (object.sameNetworkAs !== undefined && !(zooBackboneNames as readonly string[]).includes(object.sameNetworkAs)) {
      issues.push({ path: `${path}.sameNetworkAs`, message: `unknown backbone '${object.sameNetworkAs}'; allowed: ${zooBackboneNames.join(', ')}` });
    }
    const format = file.toLowerCase().endsWith('.onnx') ? 'onnx' : 'tfjs';
    const fileName = file.split(/[\\/]/).pop() as string;
    let weightsFrom: BenchModel['weightsFrom'];
    if (object.weightsFrom !== undefined) {
      weightsFrom = resolveWeightsFrom(object.weightsFrom, rawModels);
      if (format !== 'onnx') issues.push({ path: `${path}.weightsFrom`, message: 'only a .onnx file can take its weights from a zoo model' });
      else if (weightsFrom === undefined) {
        issues.push({
          path: `${path}.weightsFrom`,
          message: `'${object.weightsFrom}' is neither the label of a zoo model in this config nor a zoo backbone (${zooBackboneNames.join(', ')})`,
        });
      } else if (object.sameNetworkAs !== undefined && object.sameNetworkAs !== weightsFrom.backbone) {
        issues.push({ path: `${path}.weightsFrom`, message: `'${object.weightsFrom}' is a ${weightsFrom.backbone}, but sameNetworkAs says ${object.sameNetworkAs}` });
      }
    }
    models.push({
      label: object.label ?? fileName,
      source: { kind: 'file', path: absolute, format, insertAt: object.insertAt ?? 'residual' },
      attention: withBaseline(modelAttention),
      backends,
      ...threadsOf(object.threads),
      sameNetworkAs: object.sameNetworkAs ?? weightsFrom?.backbone,
      ...(weightsFrom ? { weightsFrom } : {}),
      unavailable,
    });
  });
  if (parsed.success) {
    if (raw.measure!.secondsPerCell === undefined && raw.measure!.iterations === undefined) {
      issues.push({ path: 'measure', message: 'give secondsPerCell (a time budget per cell) or iterations (a fixed count)' });
    }
    if (raw.warmup!.minIterations > raw.warmup!.maxIterations) {
      issues.push({ path: 'warmup.minIterations', message: `must be <= warmup.maxIterations (${raw.warmup!.maxIterations})` });
    }
    if (raw.reference !== undefined && !rawBackends.includes(raw.reference)) {
      issues.push({ path: 'reference', message: `must be one of the listed backends: ${rawBackends.join(', ')}` });
    }
  }
  const extra: ExtraMatrix[] = [];
  (Array.isArray(raw?.extra) ? raw.extra : []).forEach((entry, i) => {
    const path = `extra[${i}]`;
    if (flagged(path)) return;
    for (const [j, label] of entry.models.entries()) {
      if (!models.some((model) => model.label === label)) issues.push({ path: `${path}.models[${j}]`, message: `'${label}' is not the label of a model in this config (${models.map((m) => m.label).join(', ')})` });
    }
    const attentionEntries = entry.attention?.map((a, j) => checkAttention(a, `${path}.attention[${j}]`, issues));
    extra.push({
      models: entry.models,
      ...(entry.backends ? { backends: entry.backends } : {}),
      ...(attentionEntries ? { attention: withBaseline(attentionEntries) } : {}),
      ...(entry.inputSizes ? { inputSizes: entry.inputSizes } : {}),
      ...(entry.batchSizes ? { batchSizes: entry.batchSizes } : {}),
      ...(entry.threads !== undefined ? { threads: Array.isArray(entry.threads) ? entry.threads : [entry.threads] } : {}),
    });
  });
  const labels = models.map((m) => m.label);
  labels.forEach((label, i) => {
    if (labels.indexOf(label) !== i) issues.push({ path: `models[${i}]`, message: `label '${label}' is used twice; give each model a distinct label` });
  });
  if (issues.length || !parsed.success) throw invalidConfig(issues, options.configPath);
  const { $schema: _schema, models: _models, attention: _attention, threads: _threads, extra: _extra, ...rest } = parsed.data;
  return {
    ...rest,
    threads: threadsPerBackend(parsed.data.threads),
    extra,
    models,
    attention: withBaseline(attention),
    reference: parsed.data.reference ?? parsed.data.backends[0],
    source: options.configPath ? resolve(options.configPath) : '(inline)',
  };
}

const threadsOf = (value: number | number[] | undefined) => (value === undefined ? {} : { threads: [...new Set(Array.isArray(value) ? value : [value])] });

/** Every backend's thread counts from the `threads` setting (one count, a list, or per backend; 1 where a record leaves a backend out). */
function threadsPerBackend(setting: z.output<typeof threadsSetting>): Record<BenchBackendName, number[]> {
  const list = (value: number | number[]) => [...new Set(Array.isArray(value) ? value : [value])];
  return Object.fromEntries(
    benchBackendNames.map((name) => [name, typeof setting === 'number' || Array.isArray(setting) ? list(setting) : list(setting[name] ?? 1)]),
  ) as Record<BenchBackendName, number[]>;
}

/** `weightsFrom`: the label of a zoo entry of the config (with its options), else a bare backbone name. */
function resolveWeightsFrom(name: string, rawModels: readonly unknown[]): BenchModel['weightsFrom'] {
  for (const entry of rawModels) {
    if (entry === null || (typeof entry !== 'string' && typeof entry !== 'object')) continue;
    const object = (typeof entry === 'string' ? (isUserModelPath(entry) ? { path: entry } : { backbone: entry }) : entry) as Partial<z.output<typeof modelObject>>;
    if (object.backbone === undefined || !(zooBackboneNames as readonly string[]).includes(object.backbone)) continue;
    if ((object.label ?? object.backbone) === name) return { label: name, backbone: object.backbone, options: object.options ?? {} };
  }
  return (zooBackboneNames as readonly string[]).includes(name) ? { label: name, backbone: name, options: {} } : undefined;
}

/** Overheads are measured against the plain network, so 'none' is always part of the matrix. */
function withBaseline(entries: Array<AttentionEntry | undefined>): AttentionEntry[] {
  const valid = entries.filter((e): e is AttentionEntry => e !== undefined);
  const unique = valid.filter((e, i) => valid.findIndex((other) => other.label === e.label) === i);
  return unique.some((e) => e.spec === undefined) ? unique : [{ label: 'none', spec: undefined }, ...unique];
}

function invalidConfig(issues: ConfigIssue[], configPath?: string): AttnkitError {
  const where = configPath ? ` in ${configPath}` : '';
  return new AttnkitError(
    ErrorCodes.INVALID_CONFIG,
    `invalid bench config${where}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    { issues },
  );
}

/**
 * The published JSON Schema, generated from the zod schema. Attention entries are narrowed to the
 * registered ids and each module's options (from core's `optionsJsonSchema`), so editors can
 * complete them.
 */
export function benchConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(benchConfigSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  const modules = listAttention();
  const attentionSchema = {
    description: "'none' for the plain network, a registered attention id, or a spec { type, ...options }",
    anyOf: [
      { enum: ['none', ...modules.map((d) => d.id)] },
      ...modules.map((d) => {
        const options = optionsJsonSchema(d.options) as { properties: Record<string, unknown> };
        return {
          type: 'object',
          description: d.description,
          properties: { type: { const: d.id }, ...options.properties },
          required: ['type'],
          additionalProperties: false,
        };
      }),
    ],
  };
  const modelString = {
    anyOf: [
      { enum: [...zooBackboneNames], description: 'a zoo backbone' },
      { type: 'string', pattern: '\\.(onnx|json)$', description: 'a path to a .onnx file or a tfjs model.json, relative to this config file' },
    ],
  };
  schema.$defs = { ...(schema.$defs ?? {}), AttentionEntry: attentionSchema };
  const modelObjectSchema = schema.$defs.ModelObject;
  if (modelObjectSchema?.properties?.backbone) modelObjectSchema.properties.backbone = { enum: [...zooBackboneNames], description: 'a zoo backbone' };
  if (modelObjectSchema?.properties?.sameNetworkAs) modelObjectSchema.properties.sameNetworkAs = { enum: [...zooBackboneNames], description: modelObjectSchema.properties.sameNetworkAs.description };
  if (schema.properties?.models?.items?.anyOf) schema.properties.models.items.anyOf[0] = modelString;
  schema.$id = 'https://attnkit.dev/schema/bench-config.schema.json';
  return stripSafeIntegerBounds(schema) as Record<string, unknown>;
}

/** zod writes Number.MAX_SAFE_INTEGER as every integer's maximum; it says nothing to a reader. */
function stripSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSafeIntegerBounds);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'maximum' && entry === Number.MAX_SAFE_INTEGER) continue;
    result[key] = stripSafeIntegerBounds(entry);
  }
  return result;
}
