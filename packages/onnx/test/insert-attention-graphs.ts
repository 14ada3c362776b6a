/**
 * Small hand-built graphs for the insertAttention tests (not exported by the package): 1x1
 * identity convs on [1, 2, 2, 2] tensors named as torch.onnx.export names them, so which tensor
 * each module reads and what the model computes can be worked out by hand.
 *
 * With ECA at kernelSize 1 and its weight 0, the gate is sigmoid(0) = 1/2 on every channel: an
 * inserted module halves its tensor.
 */
import type { Tensor } from '@attnkit/core';
import { encodeModel } from '../src/model-codec.js';
import { attr, createGraph, createModel, createNode, valueInfo } from '../src/model-builders.js';
import type { OnnxGraph, OnnxModel, OnnxNode } from '../src/onnx-model.js';
import { createRunner } from '../src/session-runner.js';
import { tensorFromFloat32 } from '../src/tensor-data.js';

export const plane = [1, 2, 2, 2];
/** The graph input x, one value per element of [1, 2, 2, 2]. */
export const xValues = [1, -2, 3, -4, 5, -6, 7, -8];

/** ECA with k = 1 and weight 0: multiplies its tensor by 1/2. */
export const halving = { type: 'eca', kernelSize: 1 } as const;
export const zeroKernel = (): Tensor => ({ shape: [1, 1, 1], data: new Float32Array(1) });
/** Zero ECA weights under each module path. */
export const zeroWeights = (...paths: string[]) => new Map(paths.map((path) => [`${path}.conv.weight`, zeroKernel()]));

/** A 1x1 conv by the 2 x 2 identity (`eye`): output = input. */
export const conv = (name: string | undefined, input: string, output: string): OnnxNode =>
  createNode('Conv', [input, 'eye'], [output], { name, attributes: [attr.ints('kernel_shape', [1, 1])] });
export const relu = (name: string | undefined, input: string, output: string): OnnxNode => createNode('Relu', [input], [output], { name });

/** A model of `nodes` reading x [1, 2, 2, 2], with the identity initializer `eye`. */
export function handModel(nodes: OnnxNode[], outputs: string[], graph: Partial<OnnxGraph> = {}, model: Partial<OnnxModel> = {}): OnnxModel {
  return createModel({
    ...model,
    graph: createGraph({
      inputs: [valueInfo('x', plane)],
      outputs: outputs.map((name) => ({ name, type: { kind: 'tensor', elemType: 1 } })),
      initializers: [tensorFromFloat32('eye', [2, 2, 1, 1], Float32Array.from([1, 0, 0, 1]))],
      nodes,
      ...graph,
    }),
  });
}

/** x -> conv -> feat -> relu -> y; both feat and y are graph outputs. */
export const headModel = (model: Partial<OnnxModel> = {}): OnnxModel => handModel([conv('conv', 'x', 'feat'), relu('relu', 'feat', 'y')], ['feat', 'y'], {}, model);

/** Runs `model` on onnxruntime-node with x = xValues (or the given input); the outputs as plain arrays. */
export async function runModel(model: OnnxModel, x: { dims: number[]; data: number[] } = { dims: plane, data: xValues }): Promise<Record<string, number[]>> {
  const runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
  const session = await runner.load(encodeModel(model));
  const outputs = await session.run({ x: { dims: x.dims, data: Float32Array.from(x.data) } });
  await session.dispose();
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, Array.from(value.data as Float32Array)]));
}

/** The element-wise map of xValues, for expected outputs. */
export const ofX = (f: (v: number) => number): number[] => xValues.map(f);
