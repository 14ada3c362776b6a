/**
 * .onnx files on disk for `run` and `insert`, external data included: every location a model
 * names is resolved inside the model's folder (UNSAFE_PATH otherwise) and sized before it is
 * read; an output gets the data that was external written beside it (`<name>.onnx.data`), its
 * references rewritten, through the atomic writer (both files or neither).
 */
import { basename, dirname, join } from 'node:path';
import { readRegularFile, resolveInsideFolder, writeFilesAtomic } from '@attnkit/core/node';
import { decodeModel, embedExternalData, encodeModel, externalDataReferences, externalizeTensors, type OnnxModel } from '@attnkit/onnx';

export interface OnnxFile {
  model: OnnxModel;
  /** The file's bytes when it has no external data (ready for a runtime as they are). */
  bytes?: Uint8Array;
  /** Initializers whose data was in external files (now embedded). */
  external: Set<string>;
}

export async function readOnnxFile(path: string, what = 'the model'): Promise<OnnxFile> {
  const bytes = await readRegularFile(path, { what });
  const model = decodeModel(bytes);
  const references = externalDataReferences(model);
  if (references.length === 0) return { model, bytes, external: new Set() };
  const folder = dirname(path);
  const files = new Map<string, Uint8Array>();
  for (const location of new Set(references.map((reference) => reference.location))) {
    const resolved = await resolveInsideFolder(folder, location, `${path} (external data of an initializer)`);
    files.set(location, await readRegularFile(resolved.path, { what: `external data of ${path}`, maxBytes: resolved.size }));
  }
  const external = embedExternalData(model, (location) => files.get(location)!);
  return { model, external };
}

/** Writes a model; the initializers named in `external` go to `<file>.data` beside it. Returns the files written. */
export async function writeOnnxFile(path: string, model: OnnxModel, external: ReadonlySet<string>): Promise<string[]> {
  if (external.size === 0) {
    await writeFilesAtomic([{ path, data: encodeModel(model) }]);
    return [path];
  }
  const location = `${basename(path)}.data`;
  const dataPath = join(dirname(path), location);
  const data = externalizeTensors(model, external, location);
  await writeFilesAtomic([
    { path: dataPath, data },
    { path, data: encodeModel(model) },
  ]);
  return [path, dataPath];
}
