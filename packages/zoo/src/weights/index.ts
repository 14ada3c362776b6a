export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16.js';
export { type KernelSizePosition, kernelSizeMismatchError, suggestKernelSize } from './kernel-size-mismatch.js';
export {
  type DeclaredParameter,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  type LoadStateDictResult,
  loadStateDict,
} from './load-state-dict.js';
export { readSafetensors, type SafetensorsContents } from './read-safetensors.js';
export {
  SAFETENSORS_DTYPE_SIZES,
  SAFETENSORS_FORMAT_HINT,
  type SafetensorsDtype,
  type SafetensorsFloatDtype,
} from './safetensors-format.js';
export {
  detectConvention,
  mapKey,
  type MappedKey,
  STATE_DICT_CONVENTIONS,
  type StateDictConvention,
  stripDataParallelPrefix,
} from './state-dict-convention.js';
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
