import { AttnkitError, ErrorCodes, formatShape, nearestNames, type ParamSpec, shapesEqual, sizeOf, type Tensor } from '@attnkit/core';
import { type KernelSizePosition, kernelSizeMismatchError } from './kernel-size-mismatch.js';
import {
  detectConvention,
  isIgnoredKey,
  mapKey,
  STATE_DICT_CONVENTIONS,
  type StateDictConvention,
  stripDataParallelPrefix,
} from './state-dict-convention.js';

/** A parameter or buffer the network declares, under its full name (`layer1.0.bn1.running_mean`). */
export type DeclaredParameter = Pick<ParamSpec, 'name' | 'shape'> & Partial<Omit<ParamSpec, 'name' | 'shape'>>;

export interface LoadStateDictOptions {
  /** The naming convention of the file; `'auto'` (default) detects it from the keys. */
  convention?: 'auto' | StateDictConvention;
  /**
   * true (default): every declared name must be in the file and every file key declared.
   * false: missing names keep their init and unexpected keys are skipped (both reported).
   * Mis-shaped keys are an error either way, as in PyTorch's `load_state_dict(strict=False)`.
   */
  strict?: boolean;
  /**
   * false (default): a loaded value that is NaN or +-Infinity, or a negative BatchNorm
   * `running_var`, is refused (INVALID_VALUE naming the key): such a file computes NaN. true
   * loads them anyway (for inspecting a broken checkpoint).
   */
  allowInvalidValues?: boolean;
  /**
   * How the caller's user relaxes strict loading, named in the hint of a WEIGHTS_MISMATCH
   * (default `{ strict: false }`; the CLI names its flag).
   */
  relaxHint?: string;
}

export interface LoadStateDictReport {
  /** Our names that received a value, in declared order. */
  loaded: string[];
  /** File keys skipped on purpose (BatchNorm's `num_batches_tracked`). */
  ignored: string[];
  /** Our names the file lacks (non-strict only: strict loading throws instead). */
  missing: string[];
  /** File keys no declared name maps to (non-strict only). */
  unexpected: string[];
  /** File keys loaded under another name (`module.` dropped, convention renames). */
  renamed: Array<{ from: string; to: string }>;
}

export interface LoadStateDictResult {
  /**
   * Our name -> value, shaped as declared. The data arrays are the source's, not copies: copy
   * one before writing to it if the source must stay intact.
   */
  tensors: Map<string, Tensor>;
  convention: StateDictConvention;
  report: LoadStateDictReport;
}

interface FileEntry {
  key: string;
  tensor: Tensor;
  squeezeTrailingUnitDims: boolean;
}

interface MisShaped {
  name: string;
  key: string;
  modelShape: readonly number[];
  fileShape: readonly number[];
}

const SE_BIAS = /(^|\.)se\.fc[12]\.bias$/;

/**
 * Matches a PyTorch state dict to a network's declared parameters by name, in any of the
 * conventions of `STATE_DICT_CONVENTIONS`, and returns the values to apply. Pure: it neither
 * mutates `declared` nor `source`, and on any problem it throws without returning anything, so
 * a caller that applies the result only on success never half-applies a file.
 *
 * @throws AttnkitError KERNEL_SIZE_MISMATCH when an ECA kernel differs ([1, 1, k] vs
 *   [1, 1, k']): the message gives the file's k at every position and the `kernelSize` option
 *   that loads it. WEIGHTS_MISMATCH listing every missing key (with the nearest file keys),
 *   unexpected key and mis-shaped key (both shapes) at once. INVALID_OPTION for bad options or
 *   declared parameters; SHAPE_MISMATCH for a source tensor whose data does not fit its shape.
 */
export function loadStateDict(
  declared: readonly DeclaredParameter[],
  source: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: LoadStateDictOptions = {},
): LoadStateDictResult {
  const strict = options.strict ?? true;
  if (typeof strict !== 'boolean') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `strict must be true or false, got ${JSON.stringify(strict)}`, {
      path: 'strict',
      allowed: [true, false],
    });
  }
  const requested = options.convention ?? 'auto';
  if (requested !== 'auto' && !STATE_DICT_CONVENTIONS.includes(requested)) {
    const allowed = ['auto', ...STATE_DICT_CONVENTIONS];
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `unknown convention ${JSON.stringify(requested)}: use one of ${allowed.map((c) => `'${c}'`).join(', ')}`,
      { path: 'convention', allowed },
    );
  }
  checkDeclared(declared);
  const sourceEntries = [...(source instanceof Map ? source.entries() : Object.entries(source))] as Array<[string, Tensor]>;
  for (const [key, value] of sourceEntries) checkSourceTensor(key, value);

  const detected = detectConvention(sourceEntries.map(([key]) => key));
  const convention = requested === 'auto' ? detected : requested;

  const byName = new Map<string, FileEntry>();
  const ignored: string[] = [];
  const conflicts: string[] = [];
  const renamed: Array<{ from: string; to: string }> = [];
  for (const [key, tensor] of sourceEntries) {
    const stripped = stripDataParallelPrefix(key);
    if (isIgnoredKey(stripped)) {
      ignored.push(key);
      continue;
    }
    const mapped = mapKey(stripped, convention);
    const previous = byName.get(mapped.name);
    if (previous) {
      conflicts.push(`${previous.key} and ${key} both map to ${mapped.name}`);
      continue;
    }
    byName.set(mapped.name, { key, tensor, squeezeTrailingUnitDims: mapped.squeezeTrailingUnitDims });
  }

  const tensors = new Map<string, Tensor>();
  const loaded: string[] = [];
  const missing: string[] = [];
  const misShaped: MisShaped[] = [];
  const kernelPositions: KernelSizePosition[] = [];
  const used = new Set<string>();
  for (const spec of declared) {
    const entry = byName.get(spec.name);
    if (!entry) {
      missing.push(spec.name);
      continue;
    }
    used.add(spec.name);
    const fileShape = entry.tensor.shape;
    if (isKernelPair(spec.shape, fileShape)) {
      kernelPositions.push({ name: spec.name, modelKernelSize: spec.shape[2], fileKernelSize: fileShape[2] });
    }
    const fits =
      shapesEqual(fileShape, spec.shape) || (entry.squeezeTrailingUnitDims && shapesEqual(fileShape, [...spec.shape, 1, 1]));
    if (fits) {
      tensors.set(spec.name, { shape: [...spec.shape], data: entry.tensor.data });
      loaded.push(spec.name);
      if (entry.key !== spec.name) renamed.push({ from: entry.key, to: spec.name });
    } else if (!isKernelPair(spec.shape, fileShape)) {
      misShaped.push({ name: spec.name, key: entry.key, modelShape: spec.shape, fileShape });
    }
  }
  const unexpectedNames = [...byName.keys()].filter((name) => !used.has(name));
  const unexpected = unexpectedNames.map((name) => byName.get(name)!.key);

  const declaredNames = new Set(declared.map((spec) => spec.name));
  const problems = describeProblems({
    strict,
    relaxHint: options.relaxHint ?? '{ strict: false }',
    convention,
    conventionWasDetected: requested === 'auto',
    detected,
    missing,
    unexpected,
    unexpectedNames,
    misShaped,
    conflicts,
    byName,
    declaredNames,
    fileKeys: sourceEntries.map(([key]) => stripDataParallelPrefix(key)),
  });
  const kernelMismatch = kernelPositions.some((p) => p.modelKernelSize !== p.fileKernelSize);
  if (kernelMismatch) throw kernelSizeMismatchError(kernelPositions, problems?.message);
  if (problems) throw new AttnkitError(ErrorCodes.WEIGHTS_MISMATCH, problems.message, problems.details);
  if (options.allowInvalidValues !== true) for (const [name, tensor] of tensors) checkValues(name, byName.get(name)!.key, tensor);

  return {
    tensors,
    convention,
    report: { loaded, ignored, missing: strict ? [] : missing, unexpected: strict ? [] : unexpected, renamed },
  };
}

/** Two ECA channel-conv weights [out, in/groups, k] that differ only in k. */
function isKernelPair(modelShape: readonly number[], fileShape: readonly number[]): boolean {
  return modelShape.length === 3 && fileShape.length === 3 && modelShape[0] === fileShape[0] && modelShape[1] === fileShape[1];
}

interface ProblemInput {
  strict: boolean;
  relaxHint: string;
  convention: StateDictConvention;
  conventionWasDetected: boolean;
  detected: StateDictConvention;
  missing: string[];
  unexpected: string[];
  unexpectedNames: string[];
  misShaped: MisShaped[];
  conflicts: string[];
  byName: Map<string, FileEntry>;
  declaredNames: Set<string>;
  fileKeys: string[];
}

function describeProblems(input: ProblemInput): { message: string; details: Record<string, unknown> } | undefined {
  const { strict, convention, missing, unexpected, misShaped, conflicts } = input;
  const reportedMissing = strict ? missing : [];
  const reportedUnexpected = strict ? unexpected : [];
  if (reportedMissing.length + reportedUnexpected.length + misShaped.length + conflicts.length === 0) return undefined;

  // Candidates: every unexpected key plus the file keys of the same block (`layer1.0.`), which
  // keeps the edit-distance search small on a 900-key ResNet-152 file.
  const missingWithNearest = reportedMissing.map((name) => {
    const block = name.split('.').slice(0, 2).join('.') + '.';
    const pool = new Set([...input.unexpectedNames, ...input.fileKeys.filter((key) => key.startsWith(block))]);
    return { name, nearest: nearestNames(name, pool.size > 0 ? pool : input.fileKeys, 3) };
  });
  const lines: string[] = [];
  const counts = [
    reportedMissing.length > 0 ? `${reportedMissing.length} missing` : '',
    reportedUnexpected.length > 0 ? `${reportedUnexpected.length} unexpected` : '',
    misShaped.length > 0 ? `${misShaped.length} mis-shaped` : '',
    conflicts.length > 0 ? `${conflicts.length} conflicting` : '',
  ].filter(Boolean);
  lines.push(
    `The weights do not match the model (file convention '${convention}', ${input.conventionWasDetected ? 'detected from the keys' : 'as requested'}): ${counts.join(', ')}.`,
  );
  if (missingWithNearest.length > 0) {
    lines.push('Missing (declared by the model, not in the file):');
    for (const { name, nearest } of missingWithNearest) {
      lines.push(`  ${name}${nearest.length > 0 ? ` (nearest in the file: ${nearest.join(', ')})` : ''}`);
    }
  }
  if (reportedUnexpected.length > 0) {
    lines.push('Unexpected (in the file, not declared by the model):');
    for (const key of reportedUnexpected) lines.push(`  ${key}`);
  }
  if (misShaped.length > 0) {
    lines.push('Mis-shaped (model shape vs file shape):');
    for (const item of misShaped) {
      lines.push(`  ${item.name}: model ${formatShape(item.modelShape)}, file ${item.key === item.name ? '' : `${item.key} `}${formatShape(item.fileShape)}`);
    }
  }
  if (conflicts.length > 0) {
    lines.push('Conflicting (two file keys for one parameter):');
    for (const conflict of conflicts) lines.push(`  ${conflict}`);
  }

  const hints: string[] = [];
  if (reportedMissing.some((name) => SE_BIAS.test(name) && input.byName.has(name.replace(/bias$/, 'weight')))) {
    hints.push("the file's SE has no bias: build SE with { bias: false }");
  }
  if (input.unexpectedNames.some((name) => SE_BIAS.test(name) && input.declaredNames.has(name.replace(/bias$/, 'weight')))) {
    hints.push("the file's SE has biases: build SE with { bias: true }");
  }
  if (!input.conventionWasDetected && input.detected !== convention) {
    hints.push(`the file's keys look like convention '${input.detected}': pass convention: 'auto' or '${input.detected}'`);
  }
  if (reportedMissing.length + reportedUnexpected.length > 0) {
    hints.push(`pass ${input.relaxHint} to load the keys that match and keep the init of the missing ones`);
  }
  lines.push(
    `A file loads when every declared name is in it with the declared shape.${hints.length > 0 ? ` Hints: ${hints.join('; ')}.` : ''}`,
  );
  return {
    message: lines.join('\n'),
    details: {
      convention,
      missing: missingWithNearest,
      unexpected: reportedUnexpected,
      misShaped: misShaped.map((item) => ({ ...item, modelShape: [...item.modelShape], fileShape: [...item.fileShape] })),
      conflicts,
      hints,
    },
  };
}

/** Refuses a value that would make every output NaN: non-finite numbers, a negative running variance. */
function checkValues(name: string, key: string, tensor: Tensor): void {
  const data = tensor.data;
  const variance = name.endsWith('running_var');
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (Number.isFinite(value) && !(variance && value < 0)) continue;
    const problem = Number.isFinite(value) ? `a negative variance ${value}` : `${value}`;
    throw new AttnkitError(
      ErrorCodes.INVALID_VALUE,
      `the weights hold ${problem} at "${key}"[${i}]${key === name ? '' : ` (loaded as ${name})`}; a usable file has finite values and running_var >= 0. ` +
        'Fix the checkpoint, or pass { allowInvalidValues: true } to load it anyway',
      { name, key, index: i, value },
    );
  }
}

function checkDeclared(declared: readonly DeclaredParameter[]): void {
  if (!Array.isArray(declared)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'declared must be an array of { name, shape } parameter specs with full names', {
      path: 'declared',
    });
  }
  const seen = new Set<string>();
  for (const spec of declared) {
    if (
      spec === null ||
      typeof spec !== 'object' ||
      typeof spec.name !== 'string' ||
      spec.name === '' ||
      !isShape(spec.shape)
    ) {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `declared parameter ${JSON.stringify(spec)} is not { name: 'layer1.0.conv1.weight', shape: [64, 64, 3, 3], ... }`,
        { path: 'declared' },
      );
    }
    if (seen.has(spec.name)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `declared parameter ${spec.name} appears twice; names must be unique`, {
        path: 'declared',
        name: spec.name,
      });
    }
    seen.add(spec.name);
  }
}

function isShape(value: unknown): boolean {
  return Array.isArray(value) && value.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0);
}

function checkSourceTensor(key: string, value: Tensor): void {
  if (value === null || typeof value !== 'object' || !(value.data instanceof Float32Array) || !isShape(value.shape)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `source["${key}"] must be a tensor { shape: number[], data: Float32Array }`, {
      path: `source.${key}`,
    });
  }
  const size = sizeOf(value.shape);
  if (size !== value.data.length) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `source["${key}"] has shape ${formatShape(value.shape)} (${size} values) but ${value.data.length} values of data`,
      { name: key, shape: [...value.shape], length: value.data.length },
    );
  }
}
