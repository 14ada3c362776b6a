/**
 * A Node file-system `tf.io.IOHandler` (subpath `@attnkit/tfjs/node`): model.json plus
 * weights.bin beside it, the format tfjs-node's `file://` handler writes, so either reads what
 * the other wrote. tfjs-node cannot be installed everywhere; this needs only `node:fs`.
 *
 * Saving goes through core's atomic writer, all-or-nothing: both files are staged under
 * temporary names in the target folder, then renamed (weights first, so a reader never sees a
 * model.json whose weights are not yet in place); on failure or a signal nothing is left and an
 * earlier save stays whole.
 *
 * Loading treats model.json as a stranger's file: every shard path is resolved inside the
 * model's folder (UNSAFE_PATH otherwise), each shard may be named once, and the bytes the
 * manifest declares must equal the shards' real sizes, all checked before a byte is read.
 */
import { dirname, join } from 'node:path';
import { AttnkitError, checkLimit, ErrorCodes } from '@attnkit/core';
import { readRegularFile, resolveInsideFolder, writeFilesAtomic } from '@attnkit/core/node';
import { io } from '@tensorflow/tfjs-core';

const WEIGHTS_FILE = 'weights.bin';
const MODEL_FILE = 'model.json';
const SCHEME = 'file://';

/**
 * The model JSON a path names: a `.json` file as given, anything else as a directory holding
 * `model.json` (as tfjs-node's `file://dir` saves); a `file://` prefix is dropped.
 */
function modelJsonPath(path: string): string {
  const plain = path.startsWith(SCHEME) ? path.slice(SCHEME.length) : path;
  if (plain === '') throw new AttnkitError(ErrorCodes.INVALID_OPTION, `fileSystem() needs a path: a model JSON file such as 'out/model.json' or a directory such as 'out'; got ${JSON.stringify(path)}`, { path });
  return plain.endsWith('.json') ? plain : join(plain, MODEL_FILE);
}

/**
 * `await model.save(fileSystem('out'))` (writes out/model.json + out/weights.bin),
 * `await tf.loadLayersModel(fileSystem('out/model.json'))`. Takes a `.json` path, a directory
 * (model.json inside) or a `file://` URL of either.
 */
export function fileSystem(path: string): io.IOHandler {
  if (typeof path !== 'string') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `fileSystem() takes a path string (a model JSON file such as 'out/model.json' or a directory), got ${typeof path}`, { path: String(path) });
  }
  const modelPath = modelJsonPath(path);
  return {
    save: (artifacts) => save(modelPath, artifacts),
    load: () => load(modelPath),
  };
}

/** `file://...` URLs to our handler; anything else to other routers (null, as tfjs's own routers answer; its IORouter type omits it). */
const fileRouter = ((url: string | string[]): io.IOHandler | null => (typeof url === 'string' && url.startsWith(SCHEME) ? fileSystem(url) : null)) as Parameters<typeof io.registerSaveRouter>[0];

/**
 * Makes `model.save('file://out')` and `tf.loadLayersModel('file://out/model.json')` work, as
 * importing tfjs-node does. Importing `@attnkit/tfjs/node` calls it; it registers nothing when a
 * handler for `file://` is already registered (tfjs-node's, or ours), so the two never clash.
 * @returns whether this call registered the routers.
 */
export function registerFileSystemScheme(): boolean {
  if (io.getSaveHandlers(`${SCHEME}probe`).length > 0 || io.getLoadHandlers(`${SCHEME}probe/model.json`).length > 0) return false;
  io.registerSaveRouter(fileRouter);
  io.registerLoadRouter(fileRouter);
  return true;
}

registerFileSystemScheme();

async function save(modelPath: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, 'fileSystem() saves JSON model topologies (LayersModel, GraphModel JSON), not binary ones', {});
  }
  const directory = dirname(modelPath);
  const weightsPath = join(directory, WEIGHTS_FILE);
  const weightSpecs = artifacts.weightSpecs ?? [];
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
  };
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  // Serialize everything before the first byte reaches the disk.
  const jsonText = JSON.stringify(modelJson);
  const weightBytes = artifacts.weightData === undefined ? new Uint8Array(0) : new Uint8Array(io.concatenateArrayBuffers(artifacts.weightData));

  await writeFilesAtomic([
    { path: weightsPath, data: weightBytes },
    { path: modelPath, data: jsonText },
  ]);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology), 'utf8'),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(weightSpecs), 'utf8'),
      weightDataBytes: weightBytes.byteLength,
    },
  };
}

/** Bytes per element of each tfjs weight dtype whose size is fixed. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

async function load(modelPath: string): Promise<io.ModelArtifacts> {
  let modelJson: io.ModelJSON;
  try {
    const text = new TextDecoder().decode(await readRegularFile(modelPath, { what: 'the tfjs model JSON' }));
    modelJson = JSON.parse(text) as io.ModelJSON;
  } catch (error) {
    if (error instanceof AttnkitError) throw error;
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `could not read a model JSON from ${modelPath}: ${(error as Error).message}`, { path: modelPath });
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${modelPath} is not a tfjs model JSON: it has no modelTopology`, { path: modelPath });
  }
  const directory = dirname(modelPath);
  const shards = await checkManifest(modelPath, directory, modelJson.weightsManifest);
  return io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const weights = new Uint8Array(shards.reduce((total, shard) => total + shard.size, 0));
    let offset = 0;
    for (const shard of shards) {
      weights.set(await readRegularFile(shard.path, { what: `the weights shard named by ${modelPath}`, maxBytes: shard.size }), offset);
      offset += shard.size;
    }
    return [specs, weights.buffer];
  });
}

/**
 * The shards a manifest names, resolved inside the model's folder and sized, before any is read:
 * a path outside the folder, absolute or not a regular file is UNSAFE_PATH; a path named twice,
 * or shards whose sizes differ from the bytes the weight entries declare, is INVALID_FILE; more
 * than `LIMITS.fileBytes` in all is LIMIT_EXCEEDED.
 */
async function checkManifest(modelPath: string, directory: string, manifest: unknown): Promise<Array<{ path: string; size: number }>> {
  const invalid = (problem: string, details: Record<string, unknown> = {}): AttnkitError =>
    new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `${modelPath}: ${problem}; a tfjs weightsManifest is [{ "paths": ["weights.bin"], "weights": [{ "name", "shape", "dtype" }] }], each shard named once, its size the sum of its weights' bytes`,
      { path: modelPath, ...details },
    );
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw invalid('weightsManifest is not a list');
  const shards: Array<{ path: string; size: number }> = [];
  const seen = new Set<string>();
  let declaredBytes = 0;
  let sizesKnown = true;
  for (const [index, group] of manifest.entries()) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw invalid(`weightsManifest[${index}] needs a "paths" list and a "weights" list`);
    }
    for (const reference of group.paths as unknown[]) {
      const shard = await resolveInsideFolder(directory, reference, `${modelPath} (weightsManifest[${index}].paths)`);
      if (seen.has(shard.path)) throw invalid(`the shard ${JSON.stringify(reference)} is named more than once`, { shard: reference });
      seen.add(shard.path);
      shards.push(shard);
    }
    for (const weight of group.weights as io.WeightsManifestEntry[]) {
      const shape = weight?.shape;
      if (!Array.isArray(shape) || !shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
        throw invalid(`weight ${JSON.stringify(weight?.name)} has shape ${JSON.stringify(shape)}, not a list of non-negative integers`, { weight: weight?.name });
      }
      const elements = shape.reduce((product, dimension) => product * dimension, 1);
      checkLimit('tensorElements', elements, `${modelPath}: weight ${JSON.stringify(weight.name)} (elements)`);
      const size = weight.quantization ? QUANTIZED_BYTES[weight.quantization.dtype] : DTYPE_BYTES[weight.dtype];
      if (size === undefined) sizesKnown = false;
      else declaredBytes += elements * size;
    }
  }
  const realBytes = shards.reduce((total, shard) => total + shard.size, 0);
  checkLimit('fileBytes', realBytes, `${modelPath}: the weight shards together (bytes)`);
  if (sizesKnown && realBytes !== declaredBytes) {
    throw invalid(`the weights declare ${declaredBytes} bytes but the shards hold ${realBytes} (${realBytes < declaredBytes ? 'short weights: a shard is truncated or missing' : 'trailing bytes'})`, {
      declaredBytes,
      realBytes,
    });
  }
  return shards;
}
