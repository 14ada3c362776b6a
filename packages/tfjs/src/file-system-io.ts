/**
 * A Node file-system `tf.io.IOHandler` (subpath `@attnkit/tfjs/node`): model.json plus
 * weights.bin beside it, the format tfjs-node's `file://` handler writes, so either reads what
 * the other wrote. tfjs-node cannot be installed everywhere; this needs only `node:fs`.
 *
 * Saving is atomic per file and all-or-nothing: both files are written to temporaries in the
 * target directory, then renamed (weights first, so a reader never sees a model.json whose
 * weights are not yet in place). On any failure the temporaries are removed and nothing is left.
 */
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
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

  const createdDirectory = await ensureDirectory(directory);
  const suffix = `.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  const temporaryJson = join(directory, `.${basename(modelPath)}${suffix}`);
  const temporaryWeights = join(directory, `.${WEIGHTS_FILE}${suffix}`);
  try {
    await writeFile(temporaryWeights, weightBytes);
    await writeFile(temporaryJson, jsonText, 'utf8');
    await rename(temporaryWeights, weightsPath);
    await rename(temporaryJson, modelPath);
  } catch (error) {
    await rm(temporaryWeights, { force: true });
    await rm(temporaryJson, { force: true });
    if (createdDirectory) await rmdir(directory).catch(() => undefined);
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `could not save the model to ${modelPath}: ${(error as Error).message}; nothing was written`, { path: modelPath });
  }
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

/** Creates the directory if missing; true when this call created it (to undo on failure). */
async function ensureDirectory(directory: string): Promise<boolean> {
  const exists = await stat(directory).then((s) => s.isDirectory(), () => false);
  if (exists) return false;
  await mkdir(directory, { recursive: true });
  return true;
}

async function load(modelPath: string): Promise<io.ModelArtifacts> {
  let modelJson: io.ModelJSON;
  try {
    modelJson = JSON.parse(await readFile(modelPath, 'utf8')) as io.ModelJSON;
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `could not read a model JSON from ${modelPath}: ${(error as Error).message}`, { path: modelPath });
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${modelPath} is not a tfjs model JSON: it has no modelTopology`, { path: modelPath });
  }
  const directory = dirname(modelPath);
  return io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const path of group.paths) {
        const file = join(directory, path);
        const bytes = await readFile(file).catch((error: Error) => {
          throw new AttnkitError(ErrorCodes.INVALID_FILE, `weights file ${file} named by ${modelPath} could not be read: ${error.message}`, { path: file });
        });
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    return [specs, io.concatenateArrayBuffers(buffers)];
  });
}
