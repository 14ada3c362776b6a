import { readFile } from 'node:fs/promises';
import { AttnkitError, ErrorCodes, isAttnkitError } from '@attnkit/core';
import { type ClassScore, decodeImage, IMAGENET_LABELS, type Preprocessing, preprocessImage, topClasses } from '@attnkit/image';
import type { Command } from 'commander';
import { choosePreprocessing, type ModelMetadata, metadataFrom, parseJsonField, weightsFileMetadata } from '../classify-metadata.js';
import { parseInteger, printJson, runCommand } from '../cli-support.js';
import { readWeightsArgument } from '../weights-source.js';
import { type NetworkArguments, withNetworkOptions } from '../zoo-network.js';
import { BACKENDS } from './run.js';

export interface ClassifyArguments extends NetworkArguments {
  model?: string;
  backend?: string;
  top?: string;
  preprocess?: string;
  json?: boolean;
}

/** What `attnkit classify --json` prints. */
export interface ClassifyResult {
  top: ClassScore[];
  preprocessing: Preprocessing;
  backend: string;
  /** The forward pass on the backend (its first run, so including the runtime's first-call work). */
  latencyMs: number;
  /** Where the class names came from: the weights' own `label_names`, torchvision's ImageNet-1k list, or none. */
  labels: 'model' | 'imagenet-1k' | 'none';
}

/**
 * The weights' metadata: a safetensors `__metadata__` with `pretrained_cfg` / `label_names` (JSON
 * strings), else, for `hf://owner/repo`, the repository's `config.json` (timm writes both there).
 */
async function readModelMetadata(spec: string, bytes: Uint8Array): Promise<ModelMetadata> {
  const own = weightsFileMetadata(bytes, spec);
  if (own.pretrainedConfig !== undefined || own.labelNames !== undefined || !/^hf:\/\/[^/]+\/[^/@]+(@[^/]+)?$/.test(spec)) return own;
  try {
    const { bytes: config } = await readWeightsArgument(`${spec}/config.json`);
    return metadataFrom(parseJsonField(new TextDecoder().decode(config), `${spec}/config.json`) as Record<string, unknown>, `${spec}/config.json`);
  } catch (error) {
    if (isAttnkitError(error, ErrorCodes.NOT_FOUND) || (isAttnkitError(error, ErrorCodes.DOWNLOAD_FAILED) && error.details.reason === 'offline')) return own;
    throw error;
  }
}

/**
 * Classifies one photo: decode (EXIF orientation applied), the evaluation preprocessing, one
 * forward pass of the zoo network with the given weights on the backend, softmax, top k.
 */
export async function classifyImage(imagePath: string, args: ClassifyArguments): Promise<ClassifyResult> {
  if (args.model === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'classify needs --model <backbone> (e.g. --model resnet50)', { path: '--model' });
  }
  if (args.weights === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'classify needs --weights <file|url>: a classifier with seeded weights names nothing', { path: '--weights' });
  }
  if (args.inputSize !== undefined && args.inputSize !== '224') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `classify takes its input size from --preprocess (torchvision: 224; timm: the weights' input_size), not --input-size ${args.inputSize}`, {
      path: '--input-size',
      value: args.inputSize,
    });
  }
  const backendName = args.backend ?? 'onnx-node';
  const backend = BACKENDS[backendName];
  if (backend === undefined) {
    const allowed = Object.keys(BACKENDS);
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--backend ${backendName} is not available; backends: ${allowed.join(', ')}`, { path: '--backend', value: backendName, allowed });
  }
  const top = args.top === undefined ? 5 : parseInteger('--top', args.top);
  let imageBytes: Uint8Array;
  try {
    imageBytes = new Uint8Array(await readFile(imagePath));
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot read the image ${imagePath}: ${(error as Error).message}; give a .jpg or .png file`, { path: imagePath });
  }
  const image = decodeImage(imageBytes, { source: imagePath });
  const { bytes } = await readWeightsArgument(args.weights);
  const metadata = await readModelMetadata(args.weights, bytes);
  const preprocessing = choosePreprocessing(args.preprocess, metadata);
  const input = preprocessImage(image, preprocessing);

  const runner = await backend.load({ kind: 'backbone', name: args.model }, { ...args, inputSize: String(preprocessing.cropSize) });
  try {
    const start = performance.now();
    const output = await runner.run(input);
    const latencyMs = Number((performance.now() - start).toFixed(3));
    if (output.shape.length !== 2) {
      throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `${args.model} gives [${output.shape.join(', ')}], not class logits [1, classes]; classify needs a classifier`, {
        shape: output.shape,
      });
    }
    const classes = output.shape[1];
    const modelLabels = metadata.labelNames?.length === classes ? metadata.labelNames : undefined;
    const labels = modelLabels ?? (classes === IMAGENET_LABELS.length ? IMAGENET_LABELS : []);
    return {
      top: topClasses(output.data, top, labels),
      preprocessing,
      backend: backendName,
      latencyMs,
      labels: modelLabels !== undefined ? 'model' : labels.length > 0 ? 'imagenet-1k' : 'none',
    };
  } finally {
    runner.dispose();
  }
}

function describePreprocessing(p: Preprocessing): string {
  const crop = p.cropPct !== undefined ? ` (crop_pct ${p.cropPct})` : '';
  return `${p.pipeline}: resize ${p.resizeSize} ${p.interpolation}, crop ${p.cropSize}${crop}, mean [${p.mean.join(', ')}], std [${p.std.join(', ')}]`;
}

export function registerClassifyCommand(program: Command): void {
  withNetworkOptions(
    program
      .command('classify')
      .description('name what a photo shows: a zoo classifier with pretrained weights, top-k classes with probabilities')
      .argument('<image>', 'a .jpg (EXIF orientation applied) or .png photo'),
  )
    .option('--model <backbone>', 'the zoo backbone the weights are for (resnet18 ... mobilenet_v2)')
    .option('--backend <backend>', `runtime: ${Object.keys(BACKENDS).join(', ')}`, 'onnx-node')
    .option('--top <k>', 'how many classes to show', '5')
    .option('--preprocess <pipeline>', "torchvision (resize 256, crop 224) or timm (the weights' pretrained_cfg); timm when the weights carry one")
    .option('--json', 'print JSON only')
    .action((image: string, options: ClassifyArguments) =>
      runCommand(async () => {
        const result = await classifyImage(image, options);
        if (options.json) return printJson(result);
        const lines = result.top.map((c, i) => `${String(i + 1).padStart(2)}. ${(c.probability * 100).toFixed(2).padStart(6)}%  ${c.label} (${c.index})`);
        process.stdout.write(`${lines.join('\n')}\n${result.backend}, ${result.latencyMs} ms; preprocessing ${describePreprocessing(result.preprocessing)}\n`);
      }),
    );
}
