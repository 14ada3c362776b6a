import { join, resolve } from 'node:path';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { writeFileAtomic } from '@attnkit/core/node';
import { emitModel, encodeModel } from '@attnkit/onnx';
import { toLayersModel, useBackend } from '@attnkit/tfjs';
import { fileSystem } from '@attnkit/tfjs/node';
import type { Command } from 'commander';
import { printJson, runCommand } from '../cli-support.js';
import { type BuiltNetwork, type NetworkArguments, buildNetwork, withNetworkOptions } from '../zoo-network.js';

export interface ExportArguments extends NetworkArguments {
  format?: string;
  out?: string;
  json?: boolean;
  /** onnx: opset of the default domain (17 by default). */
  opset?: string;
  /** onnx: keep BatchNormalization nodes instead of folding them into the convs. */
  keepBatchnorm?: boolean;
  /** onnx: attention modules as plain nodes instead of ai.attnkit function calls. */
  inlineFunctions?: boolean;
  /** onnx: how the channel gate multiplies ('expanded' by default; 'broadcast' for WebGL). */
  gateMul?: string;
  /** onnx: ECA's channel conv as a 1 x k Conv ('conv', default) or a banded 1x1 Conv ('banded'). */
  channelConv?: string;
}

/** What `attnkit export --json` prints. */
export interface ExportResult {
  format: string;
  backbone: string;
  inputShape: readonly number[];
  /** Files written, absolute paths. */
  files: string[];
  weights: BuiltNetwork['weightsSource'];
  insertions: BuiltNetwork['insertions'];
}

type Exporter = (network: BuiltNetwork, directory: string, args: ExportArguments) => Promise<string[]>;

/** tfjs: model.json + weights.bin that `tf.loadLayersModel` reads once @attnkit/tfjs is imported. */
async function exportTfjs(network: BuiltNetwork, directory: string): Promise<string[]> {
  await useBackend('cpu');
  const model = toLayersModel(network.graph, network.weights);
  try {
    model.setUserDefinedMetadata({ attnkit: { backbone: network.backbone.name, options: network.backbone.metadata ?? {}, insertions: network.insertions } });
    const modelPath = join(directory, 'model.json');
    await model.save(fileSystem(modelPath));
    return [modelPath, join(directory, 'weights.bin')];
  } finally {
    model.dispose();
  }
}

/** onnx: one .onnx file (`-o model.onnx`, or `<dir>/model.onnx`), through the atomic writer. */
async function exportOnnx(network: BuiltNetwork, out: string, args: ExportArguments): Promise<string[]> {
  const model = emitModel(
    network.graph,
    network.weights,
    {
      ...(args.opset === undefined ? {} : { opset: Number(args.opset) }),
      keepBatchNorm: args.keepBatchnorm ?? false,
      inlineFunctions: args.inlineFunctions ?? false,
      ...(args.gateMul === undefined ? {} : { gateMul: args.gateMul as 'expanded' | 'broadcast' }),
      ...(args.channelConv === undefined ? {} : { channelConv: args.channelConv as 'conv' | 'banded' }),
      weightSource: 'file' in network.weightsSource ? network.weightsSource.file : `seed ${network.weightsSource.seed}`,
    },
    network.backbone.metadata,
  );
  const path = out.endsWith('.onnx') ? out : join(out, 'model.onnx');
  await writeFileAtomic(path, encodeModel(model));
  return [path];
}

/** One exporter per `--format`. */
const EXPORTERS: Record<string, Exporter> = {
  tfjs: exportTfjs,
  onnx: exportOnnx,
};

export async function exportModel(backbone: string, args: ExportArguments): Promise<ExportResult> {
  const format = args.format ?? 'tfjs';
  const exporter = EXPORTERS[format];
  if (exporter === undefined) {
    const allowed = Object.keys(EXPORTERS);
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--format ${format} is not supported; formats: ${allowed.join(', ')}`, { path: '--format', value: format, allowed });
  }
  if (args.out === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'give the output directory with -o <dir>', { path: '--out' });
  }
  const network = await buildNetwork(backbone, args);
  const files = await exporter(network, resolve(args.out), args);
  return {
    format,
    backbone: network.backbone.name,
    inputShape: network.graph.values[network.graph.input].shape,
    files,
    weights: network.weightsSource,
    insertions: network.insertions,
  };
}

export function registerExportCommand(program: Command): void {
  withNetworkOptions(
    program
      .command('export')
      .description('build a zoo backbone (with attention) and write it for a runtime')
      .argument('<backbone>', 'resnet18, resnet34, resnet50, resnet101, resnet152 or mobilenet_v2'),
  )
    .option('--format <format>', `output format: ${Object.keys(EXPORTERS).join(', ')}`, 'tfjs')
    .option('-o, --out <path>', 'output directory (onnx: a .onnx file or a directory)')
    .option('--opset <n>', 'onnx: ONNX opset, 13 to 21', '17')
    .option('--keep-batchnorm', 'onnx: keep BatchNormalization nodes (folded into the convs by default)')
    .option('--inline-functions', 'onnx: attention as plain nodes instead of ai.attnkit functions')
    .option('--gate-mul <form>', "onnx: the channel gate's multiply, 'expanded' (keeps onnxruntime's NCHWc layout) or 'broadcast' (one Mul; with --inline-functions, loads on onnxruntime-web's WebGL)", 'expanded')
    .option('--channel-conv <form>', "onnx: ECA's channel conv, 'conv' (a 1 x k Conv on the PyTorch weight) or 'banded' (one 1x1 Conv with a C x C band where C <= 320: faster on onnxruntime-node, an inference form that inlines the modules)", 'conv')
    .option('--seed <n>', 'seed of the initial weights when no --weights file is given', '0')
    .option('--json', 'print JSON only')
    .action((backbone: string, options: ExportArguments) =>
      runCommand(async () => {
        const result = await exportModel(backbone, options);
        if (options.json) return printJson(result);
        process.stdout.write(`wrote ${result.format} ${result.backbone} [${result.inputShape.join(', ')}]: ${result.files.join(', ')}\n`);
        for (const i of result.insertions) process.stdout.write(`  ${i.module.padEnd(22)} ${i.id} C=${i.channels}${i.kernelSize === undefined ? '' : ` k=${i.kernelSize}`} params=${i.parameters}\n`);
      }),
    );
}
