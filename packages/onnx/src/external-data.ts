/**
 * ONNX external data (onnx.proto `data_location = EXTERNAL`): an initializer's bytes live in a
 * file beside the model, named by `location` (relative to the model's folder), at `offset`
 * for `length` bytes. These functions move data between a model and such files without touching
 * a file system: the caller reads and writes the files (and checks that `location` stays inside
 * the model's folder, as the CLI does with core's `resolveInsideFolder`).
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type { OnnxModel, OnnxTensor } from './onnx-model.js';
import { bytesPerElement, checkTensorSize, dataTypeName, elementCount } from './tensor-data.js';

export interface ExternalDataReference {
  tensor: string;
  /** The file, as the model writes it (relative to the model's folder). */
  location: string;
  offset: number;
  /** Bytes; undefined when the model leaves it to the dims. */
  length?: number;
}

/** Every initializer of the main graph whose data is external, with where its bytes are. */
export function externalDataReferences(model: OnnxModel): ExternalDataReference[] {
  return model.graph.initializers.filter((tensor) => tensor.dataLocation === 'external').map(referenceOf);
}

function referenceOf(tensor: OnnxTensor): ExternalDataReference {
  const entries = new Map((tensor.externalData ?? []).map((entry) => [entry.key, entry.value]));
  const location = entries.get('location');
  const invalid = (problem: string) =>
    new AttnkitError(ErrorCodes.INVALID_FILE, `initializer '${tensor.name}' has external data ${problem}; expected location (a file name), offset and length (non-negative integers)`, {
      name: tensor.name,
    });
  if (location === undefined || location === '') throw invalid('without a location');
  const integer = (key: string): number | undefined => {
    const text = entries.get(key);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw invalid(`whose ${key} is ${JSON.stringify(text)}`);
    return value;
  };
  const length = integer('length');
  return { tensor: tensor.name, location, offset: integer('offset') ?? 0, ...(length === undefined ? {} : { length }) };
}

/**
 * Copies every external initializer's bytes into the model (as raw_data), so it can be run or
 * edited in memory. `readLocation` returns the whole file a location names (called once per
 * file). The byte range must lie inside that file and match the tensor's dims and type.
 * @returns the names of the tensors that were external, to write them out again beside an output.
 * @throws AttnkitError INVALID_FILE for a range outside the file or a size that disagrees with the dims.
 */
export function embedExternalData(model: OnnxModel, readLocation: (location: string) => Uint8Array): Set<string> {
  const files = new Map<string, Uint8Array>();
  const embedded = new Set<string>();
  for (const tensor of model.graph.initializers) {
    if (tensor.dataLocation !== 'external') continue;
    const reference = referenceOf(tensor);
    checkTensorSize(tensor, 'initializer');
    let file = files.get(reference.location);
    if (file === undefined) {
      file = readLocation(reference.location);
      files.set(reference.location, file);
    }
    const size = externalByteSize(tensor);
    const length = reference.length ?? size;
    if (length !== size || reference.offset + length > file.length) {
      throw new AttnkitError(
        ErrorCodes.INVALID_FILE,
        `initializer '${tensor.name}' (${dataTypeName(tensor.dataType)}, dims [${tensor.dims.join(', ')}], ${size} bytes) names bytes [${reference.offset}, ${reference.offset + length}) of ` +
          `'${reference.location}', which holds ${file.length} bytes; expected a range inside the file whose length matches the dims`,
        { name: tensor.name, location: reference.location, offset: reference.offset, length, fileBytes: file.length },
      );
    }
    tensor.rawData = file.slice(reference.offset, reference.offset + length);
    delete tensor.externalData;
    delete tensor.dataLocation;
    embedded.add(tensor.name);
  }
  return embedded;
}

/**
 * Moves the data of the named initializers out of the model into one file's bytes, and points
 * them at `location` (a file name beside the model). The model is changed in place.
 */
export function externalizeTensors(model: OnnxModel, names: ReadonlySet<string>, location: string): Uint8Array {
  const tensors = model.graph.initializers.filter((tensor) => names.has(tensor.name) && tensor.rawData !== undefined);
  const data = new Uint8Array(tensors.reduce((total, tensor) => total + tensor.rawData!.byteLength, 0));
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = tensor.rawData!;
    data.set(bytes, offset);
    tensor.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.byteLength) },
    ];
    tensor.dataLocation = 'external';
    delete tensor.rawData;
    offset += bytes.byteLength;
  }
  return data;
}

function externalByteSize(tensor: OnnxTensor): number {
  const size = bytesPerElement(tensor.dataType);
  if (size === undefined) {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `initializer '${tensor.name}' keeps ${dataTypeName(tensor.dataType)} data externally; external data of fixed-width numeric types is supported`, {
      name: tensor.name,
    });
  }
  return elementCount(tensor.dims) * size;
}
