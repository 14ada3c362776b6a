/**
 * Hand-built models shared by the tests of this package (not exported by the package).
 *
 * `buildConvReluPoolModel()`: x [1, 2, 3, 3] -> Conv 1x1 (W = [[1, -1], [0.5, 0.5]], b = [0, -1])
 * -> Relu -> ai.attnkit.Scale(alpha = 2) (a model-local function: Mul by a Constant taken from
 * the caller's attribute) -> GlobalAveragePool -> y [1, 2, 1, 1].
 *
 * With x[0] = 0..8 and x[1] = 8..0 (row-major over the 3x3 plane):
 *   conv channel 0 = x0 - x1 = 2i - 8 = -8, -6, -4, -2, 0, 2, 4, 6, 8; Relu keeps 2 + 4 + 6 + 8 = 20
 *   conv channel 1 = 0.5 (x0 + x1) - 1 = 4 - 1 = 3 everywhere
 *   y = 2 * mean = [2 * 20 / 9, 2 * 3] = [40 / 9, 6]
 */
import { attr, createGraph, createModel, createNode, valueInfo } from './model-builders.js';
import type { OnnxFunction, OnnxModel } from './onnx-model.js';
import { tensorFromFloat32 } from './tensor-data.js';

export const convReluPoolInput = {
  dims: [1, 2, 3, 3],
  data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
};

export const convReluPoolExpected = { dims: [1, 2, 1, 1], data: [40 / 9, 6] };

export const scaleFunction: OnnxFunction = {
  name: 'Scale',
  domain: 'ai.attnkit',
  inputs: ['X'],
  outputs: ['Y'],
  attributes: [],
  attributeDefaults: [attr.float('alpha', 1)],
  nodes: [
    createNode('Constant', [], ['alpha_value'], { attributes: [attr.ref('value_float', 'float', 'alpha')] }),
    createNode('Mul', ['X', 'alpha_value'], ['Y']),
  ],
  opsetImports: [{ domain: '', version: 17 }],
  docString: 'Y = alpha * X',
};

export function buildConvReluPoolModel(): OnnxModel {
  return createModel({
    irVersion: 10,
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'ai.attnkit', version: 1 },
    ],
    producerName: 'attnkit',
    producerVersion: '0.0.0',
    metadataProps: [
      { key: 'attnkit.module', value: 'scale' },
      { key: 'attnkit.note', value: 'hand-built test model' },
    ],
    functions: [scaleFunction],
    graph: createGraph({
      name: 'conv_relu_pool',
      inputs: [valueInfo('x', [1, 2, 3, 3])],
      outputs: [valueInfo('y', [1, 2, 1, 1])],
      initializers: [
        tensorFromFloat32('conv.weight', [2, 2, 1, 1], Float32Array.from([1, -1, 0.5, 0.5])),
        tensorFromFloat32('conv.bias', [2], Float32Array.from([0, -1])),
      ],
      nodes: [
        createNode('Conv', ['x', 'conv.weight', 'conv.bias'], ['conv_out'], {
          name: 'conv',
          attributes: [attr.ints('kernel_shape', [1, 1]), attr.ints('pads', [0, 0, 0, 0]), attr.ints('strides', [1, 1])],
        }),
        createNode('Relu', ['conv_out'], ['relu_out'], { name: 'relu' }),
        createNode('Scale', ['relu_out'], ['scaled'], { name: 'scale', domain: 'ai.attnkit', attributes: [attr.float('alpha', 2)] }),
        createNode('GlobalAveragePool', ['scaled'], ['y'], { name: 'pool' }),
      ],
    }),
  });
}
