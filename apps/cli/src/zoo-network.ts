import { AttnkitError, checkLimit, ErrorCodes, type Graph, initializeWeights, sizeOf, type Tensor, traceNetwork } from '@attnkit/core';
import { ATTENTION_PLACEMENTS, type AnyBackboneOptions, type Backbone, type InsertionReport, createBackbone, insertionReport, loadWeights } from '@attnkit/zoo';
import type { Command } from 'commander';
import { parseAttentionArgument, parseInteger } from './cli-support.js';
import { readWeightsArgument } from './weights-source.js';

/** Network options shared by `count`, `export` and `run`, as commander hands them over. */
export interface NetworkArguments {
  attention?: string;
  placement?: string;
  width?: string;
  widthMultiplier?: string;
  numClasses?: string;
  inputSize?: string;
  seed?: string;
  weights?: string;
  /** false with `--no-strict-weights`: missing names keep their init, unexpected keys are skipped. */
  strictWeights?: boolean;
  /** `--allow-invalid-weights`: load NaN / Infinity values and negative running variances anyway. */
  allowInvalidWeights?: boolean;
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

/**
 * The backbone options every network-building command (count, export, run) reads from the
 * same flags, validated at the boundary.
 */
export function backboneOptionsFrom(args: NetworkArguments): AnyBackboneOptions {
  const options: Record<string, unknown> = {};
  const attention = parseAttentionArgument(args.attention);
  if (attention !== undefined) options.attention = attention;
  if (args.placement !== undefined) {
    if (!(ATTENTION_PLACEMENTS as readonly string[]).includes(args.placement)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--placement ${args.placement} is not valid: use ${ATTENTION_PLACEMENTS.join(', ')}`, {
        path: '--placement',
        allowed: [...ATTENTION_PLACEMENTS],
      });
    }
    options.placement = args.placement;
  }
  if (args.width !== undefined) options.width = parseInteger('--width', args.width);
  if (args.widthMultiplier !== undefined) {
    const multiplier = Number(args.widthMultiplier);
    if (!(multiplier > 0)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--width-multiplier must be a number > 0, got '${args.widthMultiplier}'`, { path: '--width-multiplier', value: args.widthMultiplier });
    }
    options.widthMultiplier = multiplier;
  }
  if (args.numClasses !== undefined) options.numClasses = parseInteger('--num-classes', args.numClasses);
  return options as AnyBackboneOptions;
}

export async function buildNetwork(name: string, args: NetworkArguments): Promise<BuiltNetwork> {
  const backbone = createBackbone(name, backboneOptionsFrom(args));
  const size = parseInputSize(args.inputSize);
  const graph = traceNetwork(backbone, [1, 3, size, size]);
  // A huge --width declares parameters no typed array can hold: refused before any allocation.
  for (const p of graph.params) checkLimit('tensorElements', sizeOf(p.spec.shape), `parameter ${p.name} (elements)`);
  if (args.weights !== undefined) {
    const { bytes } = await readWeightsArgument(args.weights);
    const { weights } = loadWeights(backbone, bytes, {
      strict: args.strictWeights ?? true,
      allowInvalidValues: args.allowInvalidWeights ?? false,
      relaxHint: '--no-strict-weights',
    });
    return { backbone, graph, weights, insertions: insertionReport(graph), weightsSource: { file: args.weights } };
  }
  const seed = parseSeed(args.seed);
  return { backbone, graph, weights: initializeWeights(graph, seed), insertions: insertionReport(graph), weightsSource: { seed } };
}

/**
 * Adds the network options to a command. count, export and run take the same flags under the
 * same names; commands that run nothing (count) leave out `--weights`.
 */
export function withNetworkOptions(command: Command, { weights = true }: { weights?: boolean } = {}): Command {
  command
    .option('--attention <spec>', "attention id or JSON spec (e.g. eca, '{\"type\":\"eca\",\"kernelSize\":[3,5,5,7]}'), or none; by default the network's own (none, or ECA / SE for timm's eca* / se* models)")
    .option('--placement <placement>', `where attention goes: ${ATTENTION_PLACEMENTS.join(', ')} (residual by default)`)
    .option('--width <n>', 'ResNet stem/stage width (64 in torchvision)')
    .option('--width-multiplier <m>', 'MobileNetV2 width multiplier (1.0 by default)')
    .option('--num-classes <n>', 'classifier outputs (1000 by default)')
    .option('--input-size <s>', 'input height and width the network is built for', '224');
  if (weights) {
    command
      .option('--weights <file|url>', 'a PyTorch state dict to load: .safetensors or a torch.save checkpoint (.pth, .pth.tar, .pt, .bin), told apart by content; a file, https://... or hf://<owner>/<repo> (otherwise seeded init)')
      .option('--no-strict-weights', 'with --weights: keep the init of names the file lacks and skip keys the model does not declare')
      .option('--allow-invalid-weights', 'with --weights: load NaN / Infinity values and negative running variances (refused by default)');
  }
  return command;
}
