import type { AttentionInstance, ParamValues } from './attention.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import type { Ops } from './ops.js';
import type { ParamSpec } from './parameter.js';

/** Where a scope gets its parameter values from (a weight map, a tracer, tfjs variables). */
export interface ParamProvider<T> {
  get(fullName: string, spec: ParamSpec): T;
}

/** Notified around each attention call, e.g. by the tracer to record insertion reports. */
export interface ScopeHooks<T> {
  beforeAttention?(call: { path: string; scope: string; instance: AttentionInstance; stage?: number; input: T }): void;
  afterAttention?(call: { path: string; scope: string; instance: AttentionInstance; stage?: number; output: T }): void;
  /** Entering / leaving a parameter-free module (`Scope.module`), e.g. for the tracer to name its nodes. */
  enterModule?(path: string): void;
  exitModule?(path: string): void;
}

export interface Conv2dLayer {
  outChannels: number;
  kernel: number | readonly [number, number];
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
  /** torchvision ResNet/MobileNetV2 init (kaiming normal, fan out) instead of PyTorch's default. */
  init?: 'pytorch' | 'kaiming-normal-fan-out';
}

const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * A position in a network's module tree, like a PyTorch module path. Layers declared through a
 * scope get PyTorch names (`layer1.0.conv1.weight`) and PyTorch's default initializers.
 */
export class Scope<T> {
  constructor(
    readonly ops: Ops<T>,
    private readonly provider: ParamProvider<T>,
    readonly path = '',
    private readonly hooks: ScopeHooks<T> = {},
    /** Backbone stage index of this scope (0-based), for per-stage kernel sizes. */
    readonly stage?: number,
  ) {}

  child(name: string | number, stage: number | undefined = this.stage): Scope<T> {
    return new Scope(this.ops, this.provider, this.join(String(name)), this.hooks, stage);
  }

  join(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  param(spec: ParamSpec): T {
    return this.provider.get(this.join(spec.name), spec);
  }

  params(specs: readonly ParamSpec[]): ParamValues<T> {
    const values: Record<string, T> = {};
    for (const spec of specs) values[spec.name] = this.param(spec);
    return values;
  }

  /** Runs an attention module under `this.path + '.' + name` (its attribute name by default). */
  attention(instance: AttentionInstance, x: T, name: string = instance.definition.attributeName): T {
    const channels = this.ops.shape(x)[1];
    if (channels !== instance.channels) {
      throw new AttnkitError(
        ErrorCodes.SHAPE_MISMATCH,
        `${instance.id} at '${this.join(name)}' was built for ${instance.channels} channels but receives ${channels}`,
        { expected: instance.channels, actual: channels },
      );
    }
    const scope = this.child(name);
    const call = { path: this.path, scope: scope.path, instance, stage: this.stage };
    this.hooks.beforeAttention?.({ ...call, input: x });
    const output = instance.definition.forward(this.ops, x, scope.params(instance.parameters), instance.config);
    this.hooks.afterAttention?.({ ...call, output });
    return output;
  }

  /**
   * Runs parameter-free layers as the PyTorch module `name` of this scope, so a traced graph
   * records its path on their nodes: `scope.module('relu', () => ops.relu(x))` for a block's
   * `self.relu`, called as often as the block calls it. Ops outside any module are functional
   * calls (`torch.flatten`, `F.adaptive_avg_pool2d`), which thop-style FLOPs do not count.
   */
  module<R>(name: string, body: () => R): R {
    const path = this.join(name);
    this.hooks.enterModule?.(path);
    try {
      return body();
    } finally {
      this.hooks.exitModule?.(path);
    }
  }

  conv2d(name: string, x: T, layer: Conv2dLayer): T {
    const inChannels = this.ops.shape(x)[1];
    const groups = layer.groups ?? 1;
    const [kh, kw] = pair(layer.kernel);
    const fanIn = (inChannels / groups) * kh * kw;
    const scope = this.child(name);
    const weight = scope.param({
      name: 'weight',
      shape: [layer.outChannels, inChannels / groups, kh, kw],
      layout: 'conv2d',
      trainable: true,
      init:
        layer.init === 'kaiming-normal-fan-out'
          ? // PyTorch's fan_out is weight.size(0) * kh * kw: groups do not divide it (a depthwise
            // [C, 1, 3, 3] conv has fan_out 9C, not 9).
            { kind: 'kaiming-normal-fan-out', fanOut: layer.outChannels * kh * kw }
          : { kind: 'kaiming-uniform', fanIn },
    });
    const bias = layer.bias
      ? scope.param({ name: 'bias', shape: [layer.outChannels], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } })
      : undefined;
    const stride = layer.stride ?? 1;
    const padding = layer.padding ?? 0;
    return this.ops.conv2d(x, weight, bias, { stride: [stride, stride], padding: [padding, padding], dilation: [1, 1], groups });
  }

  batchNorm(name: string, x: T, attributes: { eps?: number; momentum?: number } = {}): T {
    const channels = this.ops.shape(x)[1];
    const scope = this.child(name);
    const vector = (n: string, value: number, trainable: boolean): T =>
      scope.param({ name: n, shape: [channels], layout: 'vector', trainable, init: { kind: 'constant', value } });
    return this.ops.batchNorm(
      x,
      { weight: vector('weight', 1, true), bias: vector('bias', 0, true), runningMean: vector('running_mean', 0, false), runningVar: vector('running_var', 1, false) },
      { eps: attributes.eps ?? 1e-5, momentum: attributes.momentum ?? 0.1 },
    );
  }

  linear(name: string, x: T, outFeatures: number, options: { bias?: boolean; init?: 'pytorch' | 'normal-0.01' } = {}): T {
    const inFeatures = this.ops.shape(x)[1];
    const scope = this.child(name);
    const weight = scope.param({
      name: 'weight',
      shape: [outFeatures, inFeatures],
      layout: 'linear',
      trainable: true,
      init: options.init === 'normal-0.01' ? { kind: 'normal', std: 0.01 } : { kind: 'kaiming-uniform', fanIn: inFeatures },
    });
    const bias =
      options.bias === false
        ? undefined
        : scope.param({
            name: 'bias',
            shape: [outFeatures],
            layout: 'vector',
            trainable: true,
            init: options.init === 'normal-0.01' ? { kind: 'constant', value: 0 } : { kind: 'uniform', bound: 1 / Math.sqrt(inFeatures) },
          });
    return this.ops.linear(x, weight, bias);
  }
}
