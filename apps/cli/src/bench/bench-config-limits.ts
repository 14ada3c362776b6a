/**
 * Checks of a parsed bench config that need the machine or the disk, run before anything is
 * built, measured or written: stated limits (core's LIMITS) on input and batch sizes, threads
 * at most the machine's cores (unless forced), zoo options that build, model files that are
 * models, and an estimated run time that asks for `--yes` above `LIMITS.benchSeconds`.
 */
import { availableParallelism } from 'node:os';
import { AttnkitError, checkLimit, ErrorCodes, isAttnkitError, LIMITS, traceNetwork } from '@attnkit/core';
import { readRegularFile } from '@attnkit/core/node';
import { type AnyBackboneOptions, createBackbone } from '@attnkit/zoo';
import { readOnnxFile } from '../onnx-file.js';
import { createBackendTable } from './backends/backend-table.js';
import type { BenchConfig, ConfigIssue } from './bench-config.js';
import { expandCells } from './run-benchmark.js';

export interface BenchLimitOptions {
  /** `--yes`: start a run estimated above LIMITS.benchSeconds. */
  yes?: boolean;
  /** `--force-threads`: more threads than the machine has cores. */
  forceThreads?: boolean;
  /** The machine's cores (os.availableParallelism() by default). */
  cores?: number;
}

/**
 * @throws AttnkitError LIMIT_EXCEEDED (sizes, threads, estimated time) naming the field and the
 *   bound; INVALID_CONFIG listing every model whose options or file cannot build.
 */
export async function checkBenchConfigLimits(config: BenchConfig, options: BenchLimitOptions = {}): Promise<void> {
  for (const [i, size] of config.inputSizes.entries()) checkLimit('inputSize', size, `bench config inputSizes[${i}]`);
  for (const [i, batch] of config.batchSizes.entries()) checkLimit('batchSize', batch, `bench config batchSizes[${i}]`);
  for (const size of config.inputSizes) {
    for (const batch of config.batchSizes) checkLimit('inputElements', batch * 3 * size * size, `bench config input [${batch}, 3, ${size}, ${size}] (elements)`);
  }
  const cores = options.cores ?? availableParallelism();
  const threads = Math.max(...Object.values(config.threads).flat());
  if (threads > cores && options.forceThreads !== true) {
    throw new AttnkitError(
      ErrorCodes.LIMIT_EXCEEDED,
      `bench config threads: ${threads} is more than this machine's ${cores} cores; give threads <= ${cores}, or pass --force-threads to oversubscribe on purpose`,
      { path: 'threads', value: threads, bound: cores },
    );
  }
  const issues = [...checkZooOptions(config), ...(await checkModelFiles(config))];
  if (issues.length > 0) {
    throw new AttnkitError(ErrorCodes.INVALID_CONFIG, `the bench config has ${issues.length} model(s) that cannot run:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { issues });
  }
  const cells = expandCells(config, createBackendTable()).length;
  const perCell = config.measure.secondsPerCell ?? 0;
  const estimate = cells * perCell;
  if (estimate > LIMITS.benchSeconds && options.yes !== true) {
    throw new AttnkitError(
      ErrorCodes.LIMIT_EXCEEDED,
      `the bench config has ${cells} cells x ${perCell} s per cell = about ${Math.round(estimate / 60)} min of measuring (warm-up not counted), above the ${LIMITS.benchSeconds / 60} min that start without asking; pass --yes to run it, or shrink models, attention, backends, inputSizes, batchSizes or measure.secondsPerCell`,
      { path: 'measure.secondsPerCell', value: estimate, bound: LIMITS.benchSeconds, cells },
    );
  }
}

/** Every zoo entry's options build a backbone whose parameters fit the element limit, at every input size. */
function checkZooOptions(config: BenchConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.models.forEach((model, i) => {
    if (model.source.kind !== 'zoo') return;
    try {
      const backbone = createBackbone(model.source.backbone, model.source.options as AnyBackboneOptions);
      const graph = traceNetwork(backbone, [1, 3, config.inputSizes[0], config.inputSizes[0]]);
      for (const p of graph.params) checkLimit('tensorElements', p.spec.shape.reduce((a, b) => a * b, 1), `parameter ${p.name} (elements)`);
    } catch (error) {
      if (!isAttnkitError(error)) throw error;
      issues.push({ path: `models[${i}].options`, message: error.message });
    }
  });
  return issues;
}

/** Every available model file is a model: a .onnx that decodes, a model.json with a topology. */
async function checkModelFiles(config: BenchConfig): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const [i, model] of config.models.entries()) {
    if (model.source.kind !== 'file' || model.unavailable !== undefined) continue;
    try {
      if (model.source.format === 'onnx') await readOnnxFile(model.source.path);
      else {
        const json = JSON.parse(new TextDecoder().decode(await readRegularFile(model.source.path, { what: 'the tfjs model JSON' }))) as { modelTopology?: unknown };
        if (json === null || typeof json !== 'object' || json.modelTopology == null) throw new AttnkitError(ErrorCodes.INVALID_FILE, `${model.source.path} is not a tfjs model JSON: it has no modelTopology`);
      }
    } catch (error) {
      if (!isAttnkitError(error) && !(error instanceof SyntaxError)) throw error;
      issues.push({ path: `models[${i}].path`, message: `${model.source.path} is not a model: ${(error as Error).message}` });
    }
  }
  return issues;
}
