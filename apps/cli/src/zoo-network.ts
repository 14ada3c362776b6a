import { AttnkitError, ErrorCodes, type Graph, initializeWeights, type Tensor, traceNetwork } from '@attnkit/core';
import { type AnyBackboneOptions, type Backbone, type InsertionReport, createBackbone, insertionReport, loadWeights } from '@attnkit/zoo';
import type { Command } from 'commander';
import { parseAttentionArgument, parseInteger } from './cli-support.js';
import { readWeightsArgument } from './weights-source.js';

/** Backbone options shared by `export` and `run`, as commander hands them over. */
export interface NetworkArguments {
  attention?: string;
  placement?: string;
  width?: string;
  widthMultiplier?: string;
  numClasses?: string;
  inputSize?: string;
  seed?: string;
  weights?: string;
}

/** A zoo network traced at `[1, 3, S, S]` with its weights (from a file or seeded). */
export interface BuiltNetwork {
  backbone: Backbone;
  graph: Graph;
  weights: Map<string, Tensor>;
  insertions: InsertionReport[];
  /** Where the weights came from. */
  weightsSource: { file: string } | { seed: number };
}

export function parseSeed(value: string | undefined): number {
  return value === undefined ? 0 : parseInteger('--seed', value, 0);
}

export function parseInputSize(value: string | undefined): number {
  return value === undefined ? 224 : parseInteger('--input-size', value, 1);
}

export async function buildNetwork(name: string, args: NetworkArguments): Promise<BuiltNetwork> {
  const options: Record<string, unknown> = {};
  const attention = parseAttentionArgument(args.attention);
  if (attention !== undefined) options.attention = attention;
  if (args.placement !== undefined) options.placement = args.placement;
  if (args.width !== undefined) options.width = parseInteger('--width', args.width);
  if (args.widthMultiplier !== undefined) {
    const multiplier = Number(args.widthMultiplier);
    if (!(multiplier > 0)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--width-multiplier must be a number > 0, got '${args.widthMultiplier}'`, { path: '--width-multiplier', value: args.widthMultiplier });
    }
    options.widthMultiplier = multiplier;
  }
  if (args.numClasses !== undefined) options.numClasses = parseInteger('--num-classes', args.numClasses);
  const backbone = createBackbone(name, options as AnyBackboneOptions);
  const size = parseInputSize(args.inputSize);
  const graph = traceNetwork(backbone, [1, 3, size, size]);
  if (args.weights !== undefined) {
    const { bytes } = await readWeightsArgument(args.weights);
    const { weights } = loadWeights(backbone, bytes);
    return { backbone, graph, weights, insertions: insertionReport(graph), weightsSource: { file: args.weights } };
  }
  const seed = parseSeed(args.seed);
  return { backbone, graph, weights: initializeWeights(graph, seed), insertions: insertionReport(graph), weightsSource: { seed } };
}

/** Adds the backbone options to a command (export and run take the same ones). */
export function withNetworkOptions(command: Command): Command {
  return command
    .option('--attention <spec>', "attention id or JSON spec (e.g. eca, '{\"type\":\"eca\",\"kernelSize\":5}'); none by default")
    .option('--placement <placement>', 'where attention goes: residual (default), output or stage')
    .option('--width <n>', 'ResNet stem/stage width (64 in torchvision)')
    .option('--width-multiplier <m>', 'MobileNetV2 width multiplier (1.0 by default)')
    .option('--num-classes <n>', 'classifier outputs (1000 by default)')
    .option('--input-size <s>', 'input height and width the network is built for', '224')
    .option('--weights <file|url>', 'a PyTorch state dict to load: .safetensors or a torch.save checkpoint (.pth, .pth.tar, .pt, .bin), told apart by content; a file, https://... or hf://<owner>/<repo> (otherwise seeded init)');
}
