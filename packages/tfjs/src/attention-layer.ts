/**
 * Every registered attention module as one tfjs Layer: the module's definition from core runs
 * over `tfjsOps`, its parameters become tfjs weights named after PyTorch (`<layer>/conv.weight`)
 * in tfjs layout. NHWC in, NHWC out, like every tfjs layer.
 */
import {
  type AttentionInstance,
  type AttentionSpec,
  AttnkitError,
  ErrorCodes,
  type ParamSpec,
  type Tensor as CoreTensor,
  createAttention,
  formatShape,
  getAttention,
  initializeParameter,
  type KernelSizeRule,
  nearestNames,
  parseAttentionSpec,
  resolveKernelSize,
  shapesEqual,
  validateOptions,
} from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { type LayerVariable, initializers, layers } from '@tensorflow/tfjs-layers';
import { fromTfjsLayout, tfjsShape, toTfjsLayout } from './layout.js';
import { tfjsOps } from './tfjs-ops.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type LayerShape = Array<number | null>;

export interface AttentionLayerArgs extends LayerArgs {
  /** `'eca'` or `{ type: 'eca', kernelSize: 5 }`: any registered id with its options. */
  attention: AttentionSpec;
  /** Backbone stage of the host block (0-based), for per-stage kernel sizes such as [3, 5, 5, 7]. */
  stage?: number;
  /** The host's channel count at width multiplier 1.0 (the 'mobilenet-v2' kernel-size rule). */
  nominalChannels?: number;
  /** Seed of core's `initializeParameter`; the same seed gives the same weights on every backend. */
  seed?: number;
  /**
   * PyTorch module path of this attention, the key of each parameter's seeded stream
   * (`<parameterPath>.conv.weight`). Defaults to the layer name. Give the path core uses
   * (`'eca'` for `attentionNetwork`, `'layer1.0.eca'` in a backbone) to get its weights.
   */
  parameterPath?: string;
}

const layerCounts = new Map<string, number>();
function uniqueLayerName(id: string): string {
  const prefix = id.replace(/[^A-Za-z0-9]/g, '_');
  const count = (layerCounts.get(prefix) ?? 0) + 1;
  layerCounts.set(prefix, count);
  return `${prefix}_${count}`;
}

/** Core's odd-k rule on a fixed k or on every entry of a per-stage list, which need no channel count. */
function checkFixedKernelSizes(rule: KernelSizeRule): void {
  if (typeof rule === 'number') resolveKernelSize(rule, 1);
  else if (Array.isArray(rule)) for (const stage of rule.keys()) resolveKernelSize(rule, 1, { stage });
}

export class AttentionLayer extends layers.Layer {
  static className = 'attnkit>Attention';
  readonly attention: AttentionSpec;
  readonly stage: number | undefined;
  readonly nominalChannels: number | undefined;
  readonly seed: number;
  readonly parameterPath: string;
  private readonly parameterPathGiven: boolean;
  private built_: AttentionInstance | undefined;
  private readonly variablesByName = new Map<string, LayerVariable>();

  constructor(args: AttentionLayerArgs) {
    // Fail at construction, not at build, for an unknown id or a bad option.
    const { type, options } = parseAttentionSpec(args?.attention);
    const definition = getAttention(type);
    const resolved = validateOptions(definition.id, definition.options, options);
    for (const [key, descriptor] of Object.entries(definition.options)) if (descriptor.type === 'kernel-size') checkFixedKernelSizes(resolved[key] as KernelSizeRule);
    super({ ...args, name: args.name ?? uniqueLayerName(definition.id) });
    this.attention = args.attention;
    this.stage = args.stage;
    this.nominalChannels = args.nominalChannels;
    this.seed = args.seed ?? 0;
    this.parameterPath = args.parameterPath ?? this.name;
    this.parameterPathGiven = args.parameterPath !== undefined;
  }

  /** The module bound to the input's channel count; available once the layer is built. */
  get instance(): AttentionInstance {
    if (this.built_ === undefined) {
      throw new AttnkitError(ErrorCodes.UNSUPPORTED, `attention layer '${this.name}' is not built yet: apply it to an input (or call build([N, H, W, C])) first`, { layer: this.name });
    }
    return this.built_;
  }

  /** The channel-conv kernel size core chose (ECA family), undefined for modules without one. */
  get kernelSize(): number | undefined {
    return this.instance.config.kernelSize;
  }

  /** Trainable parameters, PyTorch convention (BatchNorm running statistics excluded). */
  get parameterCount(): number {
    return this.instance.parameterCount;
  }

  /** The tfjs weight of a parameter, by its PyTorch name relative to the module (`conv.weight`). */
  variable(name: string): LayerVariable {
    const variable = this.variablesByName.get(name);
    if (variable === undefined) {
      const known = [...this.variablesByName.keys()];
      throw new AttnkitError(
        ErrorCodes.UNKNOWN_PARAMETER,
        `attention layer '${this.name}' (${this.instance.id}) has no parameter '${name}'; it has: ${known.join(', ') || '(none)'}`,
        { name, nearest: nearestNames(name, known) },
      );
    }
    return variable;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const channels = shape[3];
    if (shape.length !== 4 || channels == null) {
      throw new AttnkitError(
        ErrorCodes.SHAPE_MISMATCH,
        `attention layer '${this.name}' takes NHWC inputs [N, H, W, C] with a known C, got [${shape.map((d) => d ?? '?').join(', ')}]`,
        { shape },
      );
    }
    const instance = createAttention(this.attention, channels, { stage: this.stage, nominalChannels: this.nominalChannels });
    for (const spec of instance.parameters) {
      const variable = this.addWeight(spec.name, [...tfjsShape(spec)], 'float32', initializers.zeros(), undefined, spec.trainable);
      const value = toTfjsLayout(spec, initializeParameter(spec, this.seed, `${this.parameterPath}.${spec.name}`));
      tf.tidy(() => {
        variable.write(tf.tensor(value.data, [...value.shape]));
      });
      this.variablesByName.set(spec.name, variable);
    }
    this.built_ = instance;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const instance = this.instance;
      const params: Record<string, tf.Tensor> = {};
      for (const [name, variable] of this.variablesByName) params[name] = variable.read();
      return instance.definition.forward(tfjsOps({ training: kwargs.training === true }), x, params, instance.config);
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const own: tf.serialization.ConfigDict = { attention: this.attention as tf.serialization.ConfigDictValue, seed: this.seed };
    // Left out when it defaults to the name: tfjs's JSON conversion keeps `name` verbatim but
    // camel-cases other strings ('eca_1' -> 'eca1').
    if (this.parameterPathGiven) own.parameterPath = this.parameterPath;
    if (this.stage !== undefined) own.stage = this.stage;
    if (this.nominalChannels !== undefined) own.nominalChannels = this.nominalChannels;
    return { ...super.getConfig(), ...own };
  }
}
tf.serialization.registerClass(AttentionLayer);

/** `new AttentionLayer(args)`, in the style of `tf.layers.*`. */
export function attentionLayer(args: AttentionLayerArgs): AttentionLayer {
  return new AttentionLayer(args);
}

/**
 * Writes parameters given in PyTorch layout, by PyTorch name relative to the module
 * (`conv.weight`, `SpatialGate.spatial.bn.running_var`). Every name and shape is checked before
 * anything is written; parameters not in the map keep their values.
 */
export function setCanonicalWeights(layer: AttentionLayer, weights: ReadonlyMap<string, CoreTensor>): void {
  const specs = new Map(layer.instance.parameters.map((spec) => [spec.name, spec]));
  const values: Array<[LayerVariable, ParamSpec, CoreTensor]> = [];
  for (const [name, value] of weights) {
    const spec = specs.get(name);
    if (spec === undefined) {
      throw new AttnkitError(
        ErrorCodes.UNKNOWN_PARAMETER,
        `attention layer '${layer.name}' (${layer.instance.id}) has no parameter '${name}'; did you mean ${nearestNames(name, specs.keys(), 3).join(', ')}?`,
        { name, nearest: nearestNames(name, specs.keys()) },
      );
    }
    if (!shapesEqual(value.shape, spec.shape)) {
      throw new AttnkitError(
        ErrorCodes.SHAPE_MISMATCH,
        `parameter '${name}' of '${layer.name}' is ${formatShape(spec.shape)} in PyTorch layout (k = ${layer.instance.config.kernelSize ?? 'n/a'}), got ${formatShape(value.shape)}`,
        { name, expected: spec.shape, actual: value.shape },
      );
    }
    values.push([layer.variable(name), spec, value]);
  }
  for (const [variable, spec, value] of values) {
    const converted = toTfjsLayout(spec, value);
    tf.tidy(() => {
      variable.write(tf.tensor(converted.data, [...converted.shape]));
    });
  }
}

/** Every parameter of the layer in PyTorch layout, by PyTorch name relative to the module. */
export function getCanonicalWeights(layer: AttentionLayer): Map<string, CoreTensor> {
  const weights = new Map<string, CoreTensor>();
  for (const spec of layer.instance.parameters) {
    const variable = layer.variable(spec.name);
    const data = variable.read().dataSync() as Float32Array;
    weights.set(spec.name, fromTfjsLayout(spec, { shape: variable.shape as number[], data }));
  }
  return weights;
}
