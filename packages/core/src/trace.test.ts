import { describe, expect, it } from 'vitest';
import { network, testGate } from '../test/definitions.js';
import { instantiateAttention } from './attention.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import type { Ops } from './ops.js';
import type { ParamSpec } from './parameter.js';
import type { Scope } from './scope.js';
import { type TraceValue, traceNetwork } from './trace.js';

const conv = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } as const;
const param = (scope: Scope<TraceValue>, name: string, shape: number[]): TraceValue =>
  scope.param({ name, shape, layout: 'vector', trainable: true, init: { kind: 'constant', value: 0 } } satisfies ParamSpec);

/** Traces one op applied to an input of `inputShape` (parameters declared by `make`) and returns its output shape. */
function shapeOf(inputShape: number[], f: (ops: Ops<TraceValue>, x: TraceValue, scope: Scope<TraceValue>) => TraceValue): readonly number[] {
  const graph = traceNetwork(network((scope, x) => f(scope.ops, x, scope)), inputShape);
  return graph.values[graph.outputs[0]].shape;
}

function traceError(inputShape: number[], f: (ops: Ops<TraceValue>, x: TraceValue, scope: Scope<TraceValue>) => TraceValue): AttnkitError {
  try {
    shapeOf(inputShape, f);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    return error as AttnkitError;
  }
  throw new Error('expected the trace to fail');
}

describe('tracer shapes', () => {
  it('conv2d: PyTorch output size floor((H + 2p - d(k-1) - 1) / s) + 1', () => {
    // 224 -> 7x7 stride 2 pad 3: floor((224 + 6 - 6 - 1) / 2) + 1 = 112
    expect(shapeOf([2, 3, 224, 224], (ops, x, s) => ops.conv2d(x, param(s, 'w', [64, 3, 7, 7]), undefined, { ...conv, stride: [2, 2], padding: [3, 3] }))).toEqual([2, 64, 112, 112]);
    // 9x9, k 3, dilation 2: 9 - 4 = 5; depthwise groups 8
    expect(shapeOf([1, 8, 9, 9], (ops, x, s) => ops.conv2d(x, param(s, 'w', [8, 1, 3, 3]), param(s, 'b', [8]), { ...conv, dilation: [2, 2], groups: 8 }))).toEqual([1, 8, 5, 5]);
  });

  it('element-wise ops keep the shape', () => {
    for (const op of ['relu', 'relu6', 'sigmoid'] as const) expect(shapeOf([1, 3, 4, 5], (ops, x) => ops[op](x))).toEqual([1, 3, 4, 5]);
    expect(shapeOf([1, 3, 4, 5], (ops, x) => ops.add(x, x))).toEqual([1, 3, 4, 5]);
    const bn = (s: Scope<TraceValue>) => ({ weight: param(s, 'w', [3]), bias: param(s, 'b', [3]), runningMean: param(s, 'm', [3]), runningVar: param(s, 'v', [3]) });
    expect(shapeOf([1, 3, 4, 5], (ops, x, s) => ops.batchNorm(x, bn(s), { eps: 1e-5, momentum: 0.1 }))).toEqual([1, 3, 4, 5]);
  });

  it('mul with each gate shape', () => {
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.mul(x, ops.globalAvgPool(x)))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.mul(x, ops.channelMean(x)))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.mul(x, x))).toEqual([2, 3, 4, 5]);
  });

  it('pools', () => {
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.globalAvgPool(x))).toEqual([2, 3, 1, 1]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.globalMaxPool(x))).toEqual([2, 3, 1, 1]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.channelMean(x))).toEqual([2, 1, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.channelMax(x))).toEqual([2, 1, 4, 5]);
    // ResNet stem pool: 112 -> floor((112 + 2 - 3) / 2) + 1 = 56
    expect(shapeOf([1, 64, 112, 112], (ops, x) => ops.maxPool2d(x, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }))).toEqual([1, 64, 56, 56]);
    // timm's avg_down: ceil((7 - 2) / 2) + 1 = 4 with ceil mode, floor: 3; 8 -> 4 either way.
    expect(shapeOf([1, 8, 7, 8], (ops, x) => ops.avgPool2d(x, { kernel: [2, 2], stride: [2, 2], ceilMode: true }))).toEqual([1, 8, 4, 4]);
    expect(shapeOf([1, 8, 7, 8], (ops, x) => ops.avgPool2d(x, { kernel: [2, 2], stride: [2, 2], ceilMode: false }))).toEqual([1, 8, 3, 4]);
    // A last window that would start past the input is dropped (PyTorch): 3 with k 1, s 4 gives
    // ceil(2 / 4) + 1 = 2 windows, the second starting at 4 > 2, so 1.
    expect(shapeOf([1, 8, 3, 3], (ops, x) => ops.avgPool2d(x, { kernel: [1, 1], stride: [4, 4], ceilMode: true }))).toEqual([1, 8, 1, 1]);
  });

  it('channelConv1d, linear, concat, flatten', () => {
    expect(shapeOf([2, 16, 1, 1], (ops, x, s) => ops.channelConv1d(x, param(s, 'w', [1, 1, 5]), 'zeros'))).toEqual([2, 16, 1, 1]);
    expect(shapeOf([2, 16, 1, 1], (ops, x, s) => ops.channelConv1d(x, param(s, 'w', [16, 1, 3]), 'circular'))).toEqual([2, 16, 1, 1]);
    expect(shapeOf([2, 16, 1, 1], (ops, x, s) => ops.linear(x, param(s, 'w', [4, 16]), param(s, 'b', [4])))).toEqual([2, 4, 1, 1]);
    expect(shapeOf([2, 16, 1, 1], (ops, x, s) => ops.linear(ops.flatten(x), param(s, 'w', [4, 16]), undefined))).toEqual([2, 4]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.concatChannels([x, ops.channelMax(x), x]))).toEqual([2, 7, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.flatten(x))).toEqual([2, 60]);
  });
});

describe('tracer shapes of the broadcasting and catalog primitives', () => {
  it('add and mul broadcast NumPy-style; a [C] vector acts as [1, C, 1, 1]', () => {
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.add(x, ops.globalAvgPool(x)))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.mul(ops.globalAvgPool(x), ops.channelMean(x)))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.mul(x, ops.axisMean(x, 'width')))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x, s) => ops.mul(x, param(s, 'g', [1, 3, 1, 1])))).toEqual([2, 3, 4, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x, s) => ops.add(x, param(s, 'b', [3])))).toEqual([2, 3, 4, 5]);
  });

  it('axisMean drops one spatial axis; sqrt, exp, reciprocal keep the shape', () => {
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.axisMean(x, 'height'))).toEqual([2, 3, 1, 5]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.axisMean(x, 'width'))).toEqual([2, 3, 4, 1]);
    expect(shapeOf([2, 3, 4, 5], (ops, x) => ops.reciprocal(ops.exp(ops.sqrt(x))))).toEqual([2, 3, 4, 5]);
  });

  it('avgPool2d and resizeNearest shapes', () => {
    expect(shapeOf([2, 3, 7, 6], (ops, x) => ops.avgPool2d(x, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }))).toEqual([2, 3, 4, 3]);
    expect(shapeOf([2, 3, 4, 3], (ops, x) => ops.resizeNearest(x, [7, 6]))).toEqual([2, 3, 7, 6]);
  });

  it('reshape to the same size; conv1d [N, Cin, L, 1] -> [N, Cout, L + 2p - k + 1, 1]', () => {
    expect(shapeOf([2, 6, 1, 1], (ops, x) => ops.reshape(x, [2, 1, 6, 1]))).toEqual([2, 1, 6, 1]);
    expect(shapeOf([2, 1, 6, 1], (ops, x, s) => ops.conv1d(x, param(s, 'w', [4, 1, 3]), param(s, 'b', [4]), 1))).toEqual([2, 4, 6, 1]);
    expect(shapeOf([2, 4, 6, 1], (ops, x, s) => ops.conv1d(x, param(s, 'w', [1, 4, 5]), undefined, 0))).toEqual([2, 1, 2, 1]);
  });
});

describe('tracer shape errors', () => {
  it.each<[string, number[], (ops: Ops<TraceValue>, x: TraceValue, s: Scope<TraceValue>) => TraceValue, string]>([
    ['conv2d channels', [1, 3, 8, 8], (ops, x, s) => ops.conv2d(x, param(s, 'w', [4, 2, 3, 3]), undefined, conv), 'conv2d: input has 3 channels but weight [4, 2, 3, 3] with groups 1 expects 2'],
    ['conv2d groups', [1, 4, 8, 8], (ops, x, s) => ops.conv2d(x, param(s, 'w', [3, 2, 3, 3]), undefined, { ...conv, groups: 2 }), 'out divisible by groups 2'],
    ['conv2d bias', [1, 3, 8, 8], (ops, x, s) => ops.conv2d(x, param(s, 'w', [4, 3, 3, 3]), param(s, 'b', [3]), conv), 'conv2d: bias [3] does not match 4 output channels'],
    ['conv2d rank', [1, 3, 8], (ops, x, s) => ops.conv2d(x, param(s, 'w', [4, 3, 3, 3]), undefined, conv), 'conv2d: expected a 4-D tensor, got [1, 3, 8]'],
    ['batchNorm', [1, 3, 8, 8], (ops, x, s) => ops.batchNorm(x, { weight: param(s, 'w', [4]), bias: param(s, 'b', [4]), runningMean: param(s, 'm', [4]), runningVar: param(s, 'v', [4]) }, { eps: 1e-5, momentum: 0.1 }), 'batchNorm: parameter [4] does not match 3 channels'],
    ['add', [1, 3, 8, 8], (ops, x) => ops.add(x, ops.affine(ops.maxPool2d(x, { kernel: [2, 2], stride: [2, 2], padding: [0, 0] }), 1, 0)), 'add: shapes [1, 3, 8, 8] and [1, 3, 4, 4] do not broadcast'],
    ['mul', [1, 3, 8, 8], (ops, x) => ops.mul(x, ops.flatten(x)), 'mul: gate [1, 192] does not broadcast against [1, 3, 8, 8]'],
    ['mul channels', [2, 3, 8, 8], (ops, x, s) => ops.mul(x, param(s, 'g', [1, 4, 1, 1])), 'mul: gate [1, 4, 1, 1] does not broadcast'],
    ['mul vector', [2, 3, 8, 8], (ops, x, s) => ops.mul(x, param(s, 'g', [4])), 'mul: gate [4] does not broadcast'],
    ['reshape size', [2, 6, 1, 1], (ops, x) => ops.reshape(x, [2, 1, 5, 1]), 'reshape: cannot reshape [2, 6, 1, 1] to [2, 1, 5, 1]'],
    ['conv1d width', [2, 1, 6, 2], (ops, x, s) => ops.conv1d(x, param(s, 'w', [4, 1, 3]), undefined, 1), 'conv1d: expected a sequence [N, C, L, 1], got [2, 1, 6, 2]'],
    ['conv1d channels', [2, 2, 6, 1], (ops, x, s) => ops.conv1d(x, param(s, 'w', [4, 1, 3]), undefined, 1), 'conv1d: weight [4, 1, 3] must be [out, 2, k]'],
    ['avgPool2d padding', [1, 3, 8, 8], (ops, x) => ops.avgPool2d(x, { kernel: [3, 3], stride: [2, 2], padding: [2, 2] }), 'avgPool2d: padding 2x2 must be at most half the kernel 3x3'],
    ['resizeNearest size', [1, 3, 8, 8], (ops, x) => ops.resizeNearest(x, [0, 4]), 'resizeNearest: size [0,4] must be two positive integers'],
    ['axisMean rank', [2, 3], (ops, x) => ops.axisMean(x, 'height'), 'axisMean: expected a 4-D tensor, got [2, 3]'],
    ['avgPool2d window', [1, 3, 1, 8], (ops, x) => ops.avgPool2d(x, { kernel: [2, 2], stride: [2, 2], ceilMode: true }), 'avgPool2d: input [1, 3, 1, 8] is smaller than the 2x2 window'],
    ['channelConv1d input', [1, 3, 8, 8], (ops, x, s) => ops.channelConv1d(x, param(s, 'w', [1, 1, 3]), 'zeros'), 'channelConv1d: expected a channel vector [N, C, 1, 1], got [1, 3, 8, 8]'],
    ['channelConv1d even k', [1, 3, 1, 1], (ops, x, s) => ops.channelConv1d(x, param(s, 'w', [1, 1, 4]), 'zeros'), 'channelConv1d: weight [1, 1, 4] must be [1, 1, k] or [3, 1, k] with odd k'],
    ['channelConv1d per-channel count', [1, 3, 1, 1], (ops, x, s) => ops.channelConv1d(x, param(s, 'w', [4, 1, 3]), 'zeros'), 'must be [1, 1, k] or [3, 1, k]'],
    ['linear spatial', [1, 3, 8, 8], (ops, x, s) => ops.linear(x, param(s, 'w', [4, 3]), undefined), 'linear: expected [N, F] or [N, F, 1, 1], got [1, 3, 8, 8]'],
    ['linear features', [1, 3, 1, 1], (ops, x, s) => ops.linear(x, param(s, 'w', [4, 5]), undefined), 'linear: input has 3 features but weight [4, 5] must be [out, 3]'],
    ['linear bias', [1, 3, 1, 1], (ops, x, s) => ops.linear(x, param(s, 'w', [4, 3]), param(s, 'b', [3])), 'linear: bias [3] does not match 4 output features'],
    ['concat', [1, 3, 8, 8], (ops, x) => ops.concatChannels([x, ops.globalAvgPool(x)]), 'concatChannels: shapes [1, 3, 8, 8], [1, 3, 1, 1] differ outside the channel axis'],
    ['flatten', [1, 3], (ops, x) => ops.flatten(x), 'flatten: expected a 4-D tensor, got [1, 3]'],
  ])('%s', (_name, inputShape, f, message) => {
    const error = traceError(inputShape, f);
    expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(error.message).toContain(message);
  });

  it('a parameter name declared twice with different shapes', () => {
    const error = traceError([1, 3, 1, 1], (ops, x, s) => {
      param(s, 'g', [1, 3, 1, 1]);
      return ops.mul(x, param(s, 'g', [1, 1, 1, 1]));
    });
    expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(error.message).toContain("'g' declared twice with shapes [1, 3, 1, 1] and [1, 1, 1, 1]");
  });

  it('an attention built for other channels', () => {
    const gate = instantiateAttention(testGate, {}, 8);
    const error = traceError([1, 3, 4, 4], (_ops, x, s) => s.child('layer1').child(0).attention(gate, x));
    expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(error.message).toBe("test-gate at 'layer1.0.gate' was built for 8 channels but receives 3");
  });
});

describe('tracer records', () => {
  // layer1.0: conv1 (3 -> 4, 3x3, pad 1) -> bn1 -> relu -> gate (k 5) ; then fc.
  const gate = instantiateAttention(testGate, { kernelSize: 5 }, 4);
  const net = network((scope, x) => {
    const block = scope.child('layer1', 0).child(0);
    let y = block.conv2d('conv1', x, { outChannels: 4, kernel: 3, padding: 1 });
    y = scope.ops.relu(block.batchNorm('bn1', y));
    y = block.attention(gate, y);
    return scope.linear('fc', scope.ops.flatten(scope.ops.globalAvgPool(y)), 10);
  });
  const graph = traceNetwork(net, [2, 3, 8, 8]);

  it('parameters with full PyTorch names, shapes and trainability', () => {
    expect(graph.params.map((p) => [p.name, p.spec.shape, p.spec.trainable])).toEqual([
      ['layer1.0.conv1.weight', [4, 3, 3, 3], true],
      ['layer1.0.bn1.weight', [4], true],
      ['layer1.0.bn1.bias', [4], true],
      ['layer1.0.bn1.running_mean', [4], false],
      ['layer1.0.bn1.running_var', [4], false],
      ['layer1.0.gate.conv.weight', [1, 1, 5], true],
      ['fc.weight', [10, 4], true],
      ['fc.bias', [10], true],
    ]);
    for (const p of graph.params) expect(graph.values[p.value]).toMatchObject({ kind: 'param', shape: p.spec.shape });
  });

  it('nodes with ops, scopes and the output shape', () => {
    expect(graph.nodes.map((n) => [n.op, n.scope])).toEqual([
      ['conv2d', 'layer1.0.conv1'],
      ['batchNorm', 'layer1.0.bn1'],
      ['relu', ''],
      ['globalAvgPool', 'layer1.0.gate'],
      ['channelConv1d', 'layer1.0.gate'],
      ['sigmoid', 'layer1.0.gate'],
      ['mul', 'layer1.0.gate'],
      ['globalAvgPool', ''],
      ['flatten', ''],
      ['linear', 'fc'],
    ]);
    expect(graph.nodes[0].attributes).toEqual({ stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, kernel: [3, 3] });
    expect(graph.nodes[6].attributes).toEqual({ broadcast: 'channel' });
    expect(graph.values[graph.input]).toMatchObject({ kind: 'input', shape: [2, 3, 8, 8] });
    expect(graph.outputs.map((o) => graph.values[o].shape)).toEqual([[2, 10]]);
  });

  it('attention calls with path, scope, channels, k, parameters, stage and node range', () => {
    expect(graph.attention).toHaveLength(1);
    const call = graph.attention[0];
    expect(call).toMatchObject({ path: 'layer1.0', scope: 'layer1.0.gate', id: 'test-gate', channels: 4, kernelSize: 5, parameters: 5, stage: 0, firstNode: 3, endNode: 7 });
    expect(call.options).toEqual({ kernelSize: 5, label: 'a' });
    expect(call.input).toBe(graph.nodes[2].output);
    expect(call.output).toBe(graph.nodes[6].output);
    for (const node of graph.nodes.slice(call.firstNode, call.endNode)) expect(node.scope).toBe('layer1.0.gate');
  });

  it('the same parameter requested twice is one value', () => {
    const g = traceNetwork(network((s, x) => s.ops.add(s.ops.mul(x, param(s, 'g', [1, 1, 1, 1])), s.ops.mul(x, param(s, 'g', [1, 1, 1, 1])))), [1, 2, 1, 1]);
    expect(g.params).toHaveLength(1);
    expect(g.nodes[0].inputs[1]).toBe(g.nodes[1].inputs[1]);
  });

  it("declares PyTorch's fan_out for kaiming-normal-fan-out convs: out * kh * kw, groups do not divide it", () => {
    // torch.nn.init._calculate_fan_in_and_fan_out: fan_out = weight.size(0) * kh * kw. A depthwise
    // [8, 1, 3, 3] conv: fan_in 1 * 9 = 9, fan_out 8 * 9 = 72.
    const g = traceNetwork(network((s, x) => s.conv2d('dw', x, { outChannels: 8, kernel: 3, groups: 8, padding: 1, init: 'kaiming-normal-fan-out' })), [1, 8, 4, 4]);
    expect(g.params[0].spec.init).toEqual({ kind: 'kaiming-normal-fan-out', fanOut: 72 });
    const d = traceNetwork(network((s, x) => s.conv2d('dw', x, { outChannels: 8, kernel: 3, groups: 8, bias: true })), [1, 8, 4, 4]);
    expect(d.params.map((p) => p.spec.init)).toEqual([
      { kind: 'kaiming-uniform', fanIn: 9 },
      { kind: 'uniform', bound: 1 / 3 },
    ]);
  });
});
