import { AttnkitError, ErrorCodes } from './errors.js';
import type { AttentionCall, Graph, GraphNode, GraphValue } from './graph.js';
import type { NetworkDefinition } from './network.js';
import { withDerivedOps } from './derived-ops.js';
import { asNchw, broadcastShape } from './broadcast.js';
import { type AvgPool2dAttributes, type BatchNormParams, type ChannelPadding, type Conv2dAttributes, type MaxPool2dAttributes, type OpName, type PrimitiveOps, type SpatialAxis, fullAvgPool2dAttributes, pooledSize } from './ops.js';
import type { ParamSpec } from './parameter.js';
import { Scope } from './scope.js';
import { type Shape, formatShape, shapesEqual, sizeOf } from './tensor.js';

/** A symbolic value of the tracer: an id into `graph.values`. */
export interface TraceValue {
  readonly id: number;
  readonly shape: Shape;
}

function fail(op: string, message: string, details: Record<string, unknown> = {}): never {
  throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `${op}: ${message}`, details);
}

function expectRank(op: string, x: TraceValue, rank: number): void {
  if (x.shape.length !== rank) fail(op, `expected a ${rank}-D tensor, got ${formatShape(x.shape)}`, { shape: x.shape });
}

const outSize = (size: number, kernel: number, stride: number, pad: number, dilation = 1): number =>
  Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;

/**
 * Records every primitive into a graph, checking and inferring shapes as it goes (derived ops
 * record the primitives they are composed of). `implements Record<OpName, unknown>` with the
 * interface makes a primitive without a tracing method a compile error.
 */
class Tracer implements PrimitiveOps<TraceValue>, Record<OpName, unknown> {
  readonly values: GraphValue[] = [];
  readonly nodes: GraphNode[] = [];
  scopePath = '';

  value(shape: Shape, kind: GraphValue['kind']): TraceValue {
    const v = { id: this.values.length, shape: [...shape], kind };
    this.values.push(v);
    return v;
  }

  /** Module path of each parameter value (`layer1.0.conv1` for `layer1.0.conv1.weight`). */
  readonly paramScopes = new Map<number, string>();

  private node(op: OpName, inputs: Array<TraceValue | undefined>, shape: Shape, attributes: Record<string, unknown> = {}): TraceValue {
    const output = this.value(shape, 'node');
    // A layer with parameters is named after them (PyTorch's module path); other ops take the
    // enclosing module's path (an attention module, or `Scope.module`), or '' outside any.
    const owner = inputs.find((v) => v !== undefined && this.paramScopes.has(v.id));
    const scope = owner === undefined ? this.scopePath : this.paramScopes.get(owner.id)!;
    this.nodes.push({ op, inputs: inputs.map((v) => (v === undefined ? -1 : v.id)), output: output.id, attributes, scope });
    return output;
  }

  shape(x: TraceValue): Shape {
    return x.shape;
  }

  conv2d(x: TraceValue, weight: TraceValue, bias: TraceValue | undefined, a: Conv2dAttributes): TraceValue {
    expectRank('conv2d', x, 4);
    const [n, c, h, w] = x.shape;
    const [o, ig, kh, kw] = weight.shape;
    if (weight.shape.length !== 4 || o % a.groups !== 0) fail('conv2d', `weight ${formatShape(weight.shape)} must be [out, in/groups, kh, kw] with out divisible by groups ${a.groups}`);
    if (ig * a.groups !== c) fail('conv2d', `input has ${c} channels but weight ${formatShape(weight.shape)} with groups ${a.groups} expects ${ig * a.groups}`);
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== o)) fail('conv2d', `bias ${formatShape(bias.shape)} does not match ${o} output channels`);
    const shape = [n, o, outSize(h, kh, a.stride[0], a.padding[0], a.dilation[0]), outSize(w, kw, a.stride[1], a.padding[1], a.dilation[1])];
    return this.node('conv2d', [x, weight, bias], shape, { ...a, kernel: [kh, kw] });
  }

  batchNorm(x: TraceValue, p: BatchNormParams<TraceValue>, a: { eps: number; momentum: number }): TraceValue {
    expectRank('batchNorm', x, 4);
    for (const v of [p.weight, p.bias, p.runningMean, p.runningVar]) {
      if (v.shape.length !== 1 || v.shape[0] !== x.shape[1]) fail('batchNorm', `parameter ${formatShape(v.shape)} does not match ${x.shape[1]} channels`);
    }
    return this.node('batchNorm', [x, p.weight, p.bias, p.runningMean, p.runningVar], x.shape, { ...a });
  }

  relu(x: TraceValue): TraceValue {
    return this.node('relu', [x], x.shape);
  }

  relu6(x: TraceValue): TraceValue {
    return this.node('relu6', [x], x.shape);
  }

  sigmoid(x: TraceValue): TraceValue {
    return this.node('sigmoid', [x], x.shape);
  }

  affine(x: TraceValue, scale: number, offset: number): TraceValue {
    if (!Number.isFinite(scale) || !Number.isFinite(offset)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `affine: scale and offset must be finite numbers, got ${scale} and ${offset}`, { scale, offset });
    }
    return this.node('affine', [x], x.shape, { scale, offset });
  }

  sqrt(x: TraceValue): TraceValue {
    return this.node('sqrt', [x], x.shape);
  }

  exp(x: TraceValue): TraceValue {
    return this.node('exp', [x], x.shape);
  }

  reciprocal(x: TraceValue): TraceValue {
    return this.node('reciprocal', [x], x.shape);
  }

  add(a: TraceValue, b: TraceValue): TraceValue {
    const shape = broadcastShape(a.shape, b.shape);
    if (shape === undefined) fail('add', `shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast (in every axis the sizes must be equal or one of them 1)`);
    return this.node('add', [a, b], shape);
  }

  mul(x: TraceValue, gate: TraceValue): TraceValue {
    expectRank('mul', x, 4);
    const [n, c, h, w] = x.shape;
    const g = asNchw(x.shape, gate.shape);
    const shape = broadcastShape(x.shape, gate.shape);
    if (shape === undefined) fail('mul', `gate ${formatShape(gate.shape)} does not broadcast against ${formatShape(x.shape)} (in every axis the sizes must be equal or one of them 1)`);
    // The attention gates get a name (the ONNX emitter and the tfjs fast path key on them).
    const kind = shapesEqual(g, x.shape)
      ? 'full'
      : shapesEqual(g, [n, 1, h, w]) && c !== 1
        ? 'spatial'
        : shapesEqual(g, [n, c, 1, 1])
          ? 'channel'
          : 'general';
    return this.node('mul', [x, gate], shape, { broadcast: kind });
  }

  reshape(x: TraceValue, shape: Shape): TraceValue {
    expectRank('reshape', x, 4);
    if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1) || sizeOf(shape) !== sizeOf(x.shape) || shape[0] !== x.shape[0]) {
      fail('reshape', `cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}: give a 4-D shape with the same batch and the same number of elements`);
    }
    return this.node('reshape', [x], shape, { shape: [...shape] });
  }

  conv1d(x: TraceValue, weight: TraceValue, bias: TraceValue | undefined, padding: number): TraceValue {
    expectRank('conv1d', x, 4);
    const [n, c, l, w] = x.shape;
    const [o, ig, k] = weight.shape;
    if (w !== 1) fail('conv1d', `expected a sequence [N, C, L, 1], got ${formatShape(x.shape)}`);
    if (weight.shape.length !== 3 || ig !== c) fail('conv1d', `weight ${formatShape(weight.shape)} must be [out, ${c}, k] for ${c} input channels`);
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== o)) fail('conv1d', `bias ${formatShape(bias.shape)} does not match ${o} output channels`);
    if (!Number.isInteger(padding) || padding < 0 || l + 2 * padding < k) fail('conv1d', `padding ${padding} with k = ${k} does not fit a sequence of length ${l}`);
    return this.node('conv1d', [x, weight, bias], [n, o, l + 2 * padding - k + 1, 1], { padding, kernel: k });
  }

  resizeNearest(x: TraceValue, size: readonly [number, number]): TraceValue {
    expectRank('resizeNearest', x, 4);
    if (!size.every((d) => Number.isInteger(d) && d >= 1)) fail('resizeNearest', `size ${JSON.stringify(size)} must be two positive integers`);
    return this.node('resizeNearest', [x], [x.shape[0], x.shape[1], size[0], size[1]], { size: [...size] });
  }

  axisMean(x: TraceValue, axis: SpatialAxis): TraceValue {
    expectRank('axisMean', x, 4);
    const [n, c, h, w] = x.shape;
    if (axis !== 'height' && axis !== 'width') fail('axisMean', `axis is ${JSON.stringify(axis)}; expected 'height' or 'width'`);
    return this.node('axisMean', [x], axis === 'height' ? [n, c, 1, w] : [n, c, h, 1], { axis });
  }

  globalAvgPool(x: TraceValue): TraceValue {
    expectRank('globalAvgPool', x, 4);
    return this.node('globalAvgPool', [x], [x.shape[0], x.shape[1], 1, 1]);
  }

  globalMaxPool(x: TraceValue): TraceValue {
    expectRank('globalMaxPool', x, 4);
    return this.node('globalMaxPool', [x], [x.shape[0], x.shape[1], 1, 1]);
  }

  channelMean(x: TraceValue): TraceValue {
    expectRank('channelMean', x, 4);
    return this.node('channelMean', [x], [x.shape[0], 1, x.shape[2], x.shape[3]]);
  }

  channelMax(x: TraceValue): TraceValue {
    expectRank('channelMax', x, 4);
    return this.node('channelMax', [x], [x.shape[0], 1, x.shape[2], x.shape[3]]);
  }

  maxPool2d(x: TraceValue, a: MaxPool2dAttributes): TraceValue {
    expectRank('maxPool2d', x, 4);
    const [n, c, h, w] = x.shape;
    return this.node('maxPool2d', [x], [n, c, outSize(h, a.kernel[0], a.stride[0], a.padding[0]), outSize(w, a.kernel[1], a.stride[1], a.padding[1])], { ...a });
  }

  avgPool2d(x: TraceValue, a: AvgPool2dAttributes): TraceValue {
    expectRank('avgPool2d', x, 4);
    const [n, c, h, w] = x.shape;
    const { padding, ceilMode } = fullAvgPool2dAttributes(a);
    if (padding[0] * 2 > a.kernel[0] || padding[1] * 2 > a.kernel[1]) fail('avgPool2d', `padding ${padding.join('x')} must be at most half the kernel ${a.kernel.join('x')}`);
    if (h + 2 * padding[0] < a.kernel[0] || w + 2 * padding[1] < a.kernel[1]) fail('avgPool2d', `input ${formatShape(x.shape)} is smaller than the ${a.kernel[0]}x${a.kernel[1]} window`);
    const out: Shape = [n, c, pooledSize(h, a.kernel[0], a.stride[0], ceilMode, padding[0]), pooledSize(w, a.kernel[1], a.stride[1], ceilMode, padding[1])];
    return this.node('avgPool2d', [x], out, { kernel: [...a.kernel], stride: [...a.stride], padding: [...padding], ceilMode });
  }

  channelConv1d(v: TraceValue, weight: TraceValue, padding: ChannelPadding): TraceValue {
    const [n, c, h, w] = v.shape;
    if (v.shape.length !== 4 || h !== 1 || w !== 1) fail('channelConv1d', `expected a channel vector [N, C, 1, 1], got ${formatShape(v.shape)}`);
    const [o, i, k] = weight.shape;
    if (weight.shape.length !== 3 || i !== 1 || (o !== 1 && o !== c) || k % 2 === 0) {
      fail('channelConv1d', `weight ${formatShape(weight.shape)} must be [1, 1, k] or [${c}, 1, k] with odd k`);
    }
    return this.node('channelConv1d', [v, weight], [n, c, 1, 1], { padding, kernelSize: k, shared: o === 1 });
  }

  linear(x: TraceValue, weight: TraceValue, bias: TraceValue | undefined): TraceValue {
    const features = x.shape[1];
    const vector = x.shape.length === 2 || (x.shape.length === 4 && x.shape[2] === 1 && x.shape[3] === 1);
    if (!vector) fail('linear', `expected [N, F] or [N, F, 1, 1], got ${formatShape(x.shape)}`);
    if (weight.shape.length !== 2 || weight.shape[1] !== features) fail('linear', `input has ${features} features but weight ${formatShape(weight.shape)} must be [out, ${features}]`);
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== weight.shape[0])) fail('linear', `bias ${formatShape(bias.shape)} does not match ${weight.shape[0]} output features`);
    const shape = x.shape.length === 2 ? [x.shape[0], weight.shape[0]] : [x.shape[0], weight.shape[0], 1, 1];
    return this.node('linear', [x, weight, bias], shape);
  }

  concatChannels(xs: readonly TraceValue[]): TraceValue {
    const [first] = xs;
    for (const x of xs) {
      if (x.shape.length !== 4 || x.shape[0] !== first.shape[0] || x.shape[2] !== first.shape[2] || x.shape[3] !== first.shape[3]) {
        fail('concatChannels', `shapes ${xs.map((v) => formatShape(v.shape)).join(', ')} differ outside the channel axis`);
      }
    }
    const channels = xs.reduce((n, x) => n + x.shape[1], 0);
    return this.node('concatChannels', [...xs], [first.shape[0], channels, first.shape[2], first.shape[3]]);
  }

  flatten(x: TraceValue): TraceValue {
    expectRank('flatten', x, 4);
    return this.node('flatten', [x], [x.shape[0], x.shape[1] * x.shape[2] * x.shape[3]]);
  }
}

/** Traces a network on an input shape into the graph IR (no arithmetic is done). */
export function traceNetwork(network: NetworkDefinition, inputShape: Shape = network.defaultInputShape): Graph {
  const tracer = new Tracer();
  const params: Graph['params'] = [];
  const byName = new Map<string, TraceValue>();
  const attention: AttentionCall[] = [];
  const open: Array<{ call: Omit<AttentionCall, 'output' | 'endNode'>; outerScope: string }> = [];
  const outerModules: string[] = [];
  const provider = {
    get(fullName: string, spec: ParamSpec): TraceValue {
      const existing = byName.get(fullName);
      if (existing !== undefined) {
        if (!shapesEqual(existing.shape, spec.shape)) fail('parameter', `'${fullName}' declared twice with shapes ${formatShape(existing.shape)} and ${formatShape(spec.shape)}`);
        return existing;
      }
      const value = tracer.value(spec.shape, 'param');
      byName.set(fullName, value);
      tracer.paramScopes.set(value.id, fullName.slice(0, Math.max(0, fullName.length - spec.name.length - 1)) || fullName);
      params.push({ name: fullName, spec, value: value.id });
      return value;
    },
  };
  const scope = new Scope<TraceValue>(withDerivedOps(tracer), provider, '', {
    beforeAttention({ path, scope: moduleScope, instance, stage, input }) {
      open.push({
        outerScope: tracer.scopePath,
        call: {
          path,
          scope: moduleScope,
          id: instance.id,
          channels: instance.channels,
          options: instance.options,
          config: instance.config,
          kernelSize: instance.config.kernelSize,
          parameters: instance.parameterCount,
          stage,
          input: input.id,
          firstNode: tracer.nodes.length,
        },
      });
      tracer.scopePath = moduleScope;
    },
    afterAttention({ output }) {
      const entry = open.pop()!;
      tracer.scopePath = entry.outerScope;
      attention.push({ ...entry.call, output: output.id, endNode: tracer.nodes.length });
    },
    enterModule(path) {
      outerModules.push(tracer.scopePath);
      tracer.scopePath = path;
    },
    exitModule() {
      tracer.scopePath = outerModules.pop()!;
    },
  });
  const input = tracer.value(inputShape, 'input');
  const result = network.forward(scope, input);
  const outputs = (Array.isArray(result) ? result : [result]) as TraceValue[];
  return { name: network.name, input: input.id, outputs: outputs.map((o) => o.id), values: tracer.values, nodes: tracer.nodes, params, attention };
}
