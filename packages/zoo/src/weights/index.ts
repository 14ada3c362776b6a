/** The 16-bit float codecs live in core (one implementation, shared with @attnkit/onnx). */
export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '@attnkit/core';
export { type KernelSizePosition, kernelSizeMismatchError, suggestKernelSize } from './kernel-size-mismatch.js';
export {
  type DeclaredParameter,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  type LoadStateDictResult,
  loadStateDict,
} from './load-state-dict.js';
export { isPthBytes, type PthContents, type PthFormat, type ReadPthOptions, readPth, STATE_DICT_KEYS } from './read-pth.js';
export { readSafetensors, type SafetensorsContents } from './read-safetensors.js';
export { type ReadStateDictOptions, readStateDict, type StateDictContents, type WeightsFormat } from './read-state-dict.js';
export {
  SAFETENSORS_DTYPE_SIZES,
  SAFETENSORS_FORMAT_HINT,
  type SafetensorsDtype,
  type SafetensorsFloatDtype,
} from './safetensors-format.js';
export {
  detectConvention,
  type MappedKey,
  mapKey,
  STATE_DICT_CONVENTIONS,
  type StateDictConvention,
  stripDataParallelPrefix,
} from './state-dict-convention.js';
export { TORCH_STORAGE_DTYPES, type TorchStorageClass, WHITELISTED_GLOBALS } from './unpickle.js';
export { type WriteSafetensorsOptions, writeSafetensors } from './write-safetensors.js';
export {
  type CachedWeights,
  cacheStorageWeightsCache,
  type FetchedWeights,
  type FetchWeightsOptions,
  fetchWeights,
  HF_DEFAULT_ENDPOINT,
  HF_WEIGHTS_FILES,
  isRemoteWeights,
  resolveWeightsUrls,
  sha256Hex,
  type WeightsCache,
} from './fetch-weights.js';
