/**
 * What `classify` reads from a checkpoint besides its tensors, and the preprocessing it picks
 * from that: pure functions (no Node built-ins), shared with the playground's photo view.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { PREPROCESSING_PIPELINES, type Preprocessing, type PreprocessingPipeline, TORCHVISION_PREPROCESSING, type TimmPretrainedConfig, timmPreprocessing } from '@attnkit/image';
import { readSafetensors } from '@attnkit/zoo';

/** What a checkpoint says about itself: timm's `pretrained_cfg` and `label_names`. */
export interface ModelMetadata {
  pretrainedConfig?: TimmPretrainedConfig;
  labelNames?: string[];
}

export function parseJsonField(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${what} is not valid JSON (${(error as Error).message})`, { path: what });
  }
}

export function metadataFrom(fields: Record<string, unknown>, what: string): ModelMetadata {
  const metadata: ModelMetadata = {};
  const config = parseJsonField(fields.pretrained_cfg, `${what} pretrained_cfg`);
  if (config !== undefined && config !== null) metadata.pretrainedConfig = config as TimmPretrainedConfig;
  const labels = parseJsonField(fields.label_names, `${what} label_names`);
  if (Array.isArray(labels) && labels.every((label) => typeof label === 'string')) metadata.labelNames = labels;
  return metadata;
}

/** The `pretrained_cfg` / `label_names` of a safetensors `__metadata__` (JSON strings); none for other formats. */
export function weightsFileMetadata(bytes: Uint8Array, what: string): ModelMetadata {
  let fields: Record<string, string> = {};
  try {
    fields = readSafetensors(bytes).metadata;
  } catch {
    // Not safetensors: the loader reads the other formats; they carry no metadata.
  }
  return metadataFrom(fields, `${what} metadata`);
}

/** `name` (torchvision or timm), or without one timm's pipeline when the checkpoint carries timm's config, else torchvision's. */
export function choosePreprocessing(name: string | undefined, metadata: ModelMetadata): Preprocessing {
  const pipeline = (name ?? (metadata.pretrainedConfig !== undefined ? 'timm' : 'torchvision')) as PreprocessingPipeline;
  if (!PREPROCESSING_PIPELINES.includes(pipeline)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--preprocess ${name} is not a pipeline; use ${PREPROCESSING_PIPELINES.join(' or ')}`, {
      path: '--preprocess',
      value: name,
      allowed: PREPROCESSING_PIPELINES,
    });
  }
  return pipeline === 'timm' ? timmPreprocessing(metadata.pretrainedConfig ?? {}) : TORCHVISION_PREPROCESSING;
}
