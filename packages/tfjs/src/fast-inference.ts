/**
 * Inference without layer-by-layer execution: a LayersModel's graph compiled once into a plan
 * of tfjs ops where every Conv2D / DepthwiseConv2D absorbs the BatchNormalization after it
 * (folded into its kernel and bias) and the ReLU / ReLU6 after that (fused into the same
 * kernel call by tf.fused.*), a ZeroPadding2D before it becomes the conv's own padding, and
 * Dense runs as one fused matMul. Every attention layer runs its module's traced graph with
 * the activations fused into the producing conv / matMul (attention-plan.ts: no module id is
 * known here), on snapshotted weights; what could not be fused is reported. Other layers run
 * their own `call`.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AttentionLayer } from './attention-layer.js';
import { type AttentionFusionReport, compileAttention } from './attention-plan.js';
import { type LayerCall, readModelGraph } from './model-graph.js';

/** `(input NHWC) => output`; call `dispose()` to free the folded weights. */
export interface InferenceFunction {
  (input: tf.Tensor4D): tf.Tensor;
  /** Frees the folded kernels and biases; the model keeps its own weights. */
  dispose(): void;
  /** How many layers each fused step absorbed, and what each attention module fused, for reports and tests. */
  readonly summary: { steps: number; layers: number; foldedBatchNorms: number; fusedActivations: number; attention: AttentionFusionReport[] };
  /** One line per attention module with an activation left unfused (a slower path), empty when every one fused. */
  readonly warnings: string[];
}

type Activation = 'linear' | 'relu' | 'relu6';
type Step = (values: Map<string, tf.Tensor>) => void;

interface LayerConfig {
  activation?: string;
  padding?: string;
  strides?: number[];
  dilationRate?: number | number[];
  useBias?: boolean;
  maxValue?: number | null;
  epsilon?: number;
  axis?: number | number[];
  center?: boolean;
  scale?: boolean;
  dataFormat?: string;
  poolSize?: number[];
}

const config = (layer: tfl.layers.Layer): LayerConfig => layer.getConfig() as LayerConfig;
const className = (layer: tfl.layers.Layer): string => layer.getClassName();
/** tfjs-layers' getConfig always carries dataFormat (channelsLast unless given). */
const channelsLast = (layer: tfl.layers.Layer): boolean => config(layer).dataFormat === 'channelsLast';

/** The activation a layer applies, if fused ops can apply it too. */
function activationOf(layer: tfl.layers.Layer): Activation | undefined {
  const c = config(layer);
  switch (className(layer)) {
    case 'ReLU':
      return c.maxValue === null || c.maxValue === undefined ? 'relu' : c.maxValue === 6 ? 'relu6' : undefined;
    case 'Activation':
      return c.activation === 'relu' || c.activation === 'relu6' || c.activation === 'linear' ? c.activation : undefined;
    // Stryker disable next-line ConditionalExpression: without the default case the switch falls through to the same undefined
    default:
      return undefined;
  }
}

const pair = (v: number | number[] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]]);

function symmetricPadding(layer: tfl.layers.Layer): number | undefined {
  const { padding } = layer.getConfig() as { padding?: unknown };
  const [[top, bottom], [left, right]] = padding as [[number, number], [number, number]];
  return top === bottom && left === right && top === left ? top : undefined;
}

/** A call the plan runs as a layer: its own `call` on concrete tensors, in inference mode. */
function runLayer(call: LayerCall): Step {
  return (values) => {
    const inputs = call.inputs.map((key) => values.get(key)!);
    const result = call.layer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...call.callArgs, training: false });
    const outputs = Array.isArray(result) ? (result as tf.Tensor[]) : [result as tf.Tensor];
    for (const [i, key] of call.outputs.entries()) values.set(key, outputs[i]);
  };
}

/** Parameter-free layers as plain ops (no layer machinery per call). */
function runOp(call: LayerCall): Step | undefined {
  const [input] = call.inputs;
  const [output] = call.outputs;
  const c = config(call.layer);
  switch (className(call.layer)) {
    case 'Add':
      return (values) => values.set(output, call.inputs.slice(1).reduce((sum, key) => tf.add(sum, values.get(key)!), values.get(input)!));
    case 'ReLU':
    case 'Activation': {
      const activation = activationOf(call.layer);
      if (activation === 'relu') return (values) => values.set(output, tf.relu(values.get(input)!));
      if (activation === 'relu6') return (values) => values.set(output, tf.relu6(values.get(input)!));
      return undefined;
    }
    case 'GlobalAveragePooling2D':
      return channelsLast(call.layer) ? (values) => values.set(output, tf.reshape(globalAvgPool(values.get(input) as tf.Tensor4D), [-1, values.get(input)!.shape[3]!])) : undefined;
    case 'MaxPooling2D':
      return channelsLast(call.layer)
        ? (values) => values.set(output, tf.maxPool(values.get(input) as tf.Tensor4D, pair(c.poolSize), pair(c.strides), (c.padding ?? 'valid') as 'valid' | 'same'))
        : undefined;
    // Stryker disable next-line ConditionalExpression: without the default case the switch falls through to the same undefined
    default:
      return undefined;
  }
}

/** [N, H, W, C] -> [N, 1, 1, C] as one XNNPACK pooling on wasm (tf.mean over [1, 2] transposes first). */
const globalAvgPool = (x: tf.Tensor4D): tf.Tensor4D => tf.avgPool(x, [x.shape[1], x.shape[2]], 1, 'valid');

interface ConvPlan {
  call: LayerCall;
  /** The tensor the fused op reads (before an absorbed ZeroPadding2D). */
  input: string;
  /** The tensor it writes (after an absorbed BN and activation). */
  output: string;
  pad: 'valid' | 'same' | number;
  batchNorm?: LayerCall;
  activation: Activation;
}

/**
 * `const infer = compileInference(model); const y = infer(x); ...; infer.dispose()`.
 * Computes what `model.predict(x)` computes (to float rounding) for channels-last models with
 * one input and one output. The folded weights are a snapshot: compile again after training.
 *
 * @throws AttnkitError UNSUPPORTED for a model with several inputs or outputs.
 */
export function compileInference(model: tfl.LayersModel): InferenceFunction {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `compileInference needs a model with one input and one output; '${model.name}' has ${model.inputs.length} and ${model.outputs.length}`, {
      inputs: model.inputs.length,
      outputs: model.outputs.length,
    });
  }
  const graph = readModelGraph(model);
  const isOutput = new Set(graph.outputs);
  const producer = new Map<string, LayerCall>();
  for (const call of graph.calls) for (const key of call.outputs) producer.set(key, call);
  /** The one call that reads a call's single output, when nothing else (nor the model) does. */
  const soleConsumer = (call: LayerCall): LayerCall | undefined => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: it is only asked about one-output layers, and no call that leads to the one model output reads that output
    if (call.outputs.length !== 1 || isOutput.has(call.outputs[0])) return undefined;
    const consumers = graph.consumers.get(call.outputs[0]) ?? [];
    return consumers.length === 1 && consumers[0].call.inputs.length === 1 ? consumers[0].call : undefined;
  };

  // Pass 1: decide what each conv and dense absorbs.
  const absorbed = new Set<LayerCall>();
  const convs = new Map<LayerCall, ConvPlan>();
  const denses = new Map<LayerCall, { output: string; activation: Activation }>();
  for (const call of graph.calls) {
    const kind = className(call.layer);
    const c = config(call.layer);
    const own = c.activation === 'relu' || c.activation === 'relu6' || c.activation === 'linear' ? (c.activation as Activation) : undefined;
    if ((kind === 'Conv2D' || kind === 'DepthwiseConv2D') && channelsLast(call.layer) && own !== undefined) {
      const plan: ConvPlan = { call, input: call.inputs[0], output: call.outputs[0], pad: (c.padding ?? 'valid') as 'valid' | 'same', activation: own };
      const padCall = producer.get(call.inputs[0]);
      if (padCall !== undefined && className(padCall.layer) === 'ZeroPadding2D' && channelsLast(padCall.layer) && plan.pad === 'valid' && soleConsumer(padCall) === call) {
        const p = symmetricPadding(padCall.layer);
        if (p !== undefined) {
          plan.pad = p;
          plan.input = padCall.inputs[0];
          absorbed.add(padCall);
        }
      }
      let last = call;
      const bn = own === 'linear' ? soleConsumer(call) : undefined;
      const axis = bn === undefined ? undefined : config(bn.layer).axis;
      if (bn !== undefined && className(bn.layer) === 'BatchNormalization' && (axis === -1 || axis === 3)) {
        plan.batchNorm = bn;
        absorbed.add(bn);
        last = bn;
      }
      const act = plan.activation === 'linear' ? soleConsumer(last) : undefined;
      const fused = act === undefined ? undefined : activationOf(act.layer);
      if (act !== undefined && fused !== undefined) {
        plan.activation = fused;
        absorbed.add(act);
        last = act;
      }
      plan.output = last.outputs[0];
      convs.set(call, plan);
    } else if (kind === 'Dense' && own !== undefined && call.outputTensors[0].shape.length === 2) {
      const act = own === 'linear' ? soleConsumer(call) : undefined;
      const fused = act === undefined ? undefined : activationOf(act.layer);
      if (act !== undefined && fused !== undefined) absorbed.add(act);
      denses.set(call, { output: (fused === undefined ? call : act!).outputs[0], activation: fused ?? own });
    }
  }

  // Pass 2: fold weights (kept until dispose) and emit one step per remaining call.
  const owned: tf.Tensor[] = [];
  const steps: Step[] = [];
  /** The tensors each step reads and writes, for freeing every intermediate after its last reader. */
  const reads: string[][] = [];
  const writes: string[][] = [];
  const push = (step: Step, inputs: readonly string[], outputs: readonly string[]) => {
    steps.push(step);
    reads.push([...inputs]);
    writes.push([...outputs]);
  };
  let layers = 0;
  const attention: AttentionFusionReport[] = [];
  tf.tidy(() => {
    const keep = <T extends tf.Tensor>(t: T): T => {
      owned.push(tf.keep(t));
      return t;
    };
    for (const call of graph.calls) {
      if (className(call.layer) === 'InputLayer') continue;
      layers++;
      if (absorbed.has(call)) continue;
      const conv = convs.get(call);
      if (conv !== undefined) {
        const c = config(call.layer);
        const depthwise = className(call.layer) === 'DepthwiseConv2D';
        const [kernel, maybeBias] = call.layer.getWeights();
        let filter = kernel;
        let bias: tf.Tensor | undefined = c.useBias ? maybeBias : undefined;
        if (conv.batchNorm !== undefined) {
          const b = config(conv.batchNorm.layer);
          const weights = conv.batchNorm.layer.getWeights();
          let i = 0;
          const gamma = b.scale !== false ? weights[i++] : undefined;
          const beta = b.center !== false ? weights[i++] : undefined;
          const [mean, variance] = [weights[i], weights[i + 1]];
          // BN(conv(x) + b) = conv(x) * s + (b - mean) * s + beta, with s = gamma / sqrt(var + eps).
          const scale = tf.div(gamma ?? tf.onesLike(variance), tf.sqrt(tf.add(variance, b.epsilon ?? 1e-3)));
          filter = depthwise ? tf.mul(kernel, tf.reshape(scale, [1, 1, kernel.shape[2]!, kernel.shape[3]!])) : tf.mul(kernel, scale);
          const shifted = tf.mul(tf.sub(bias ?? tf.zerosLike(mean), mean), scale);
          bias = beta === undefined ? shifted : tf.add(shifted, beta);
        }
        const args = {
          filter: keep(filter.clone()) as tf.Tensor4D,
          bias: bias === undefined ? undefined : keep(bias.clone()),
          strides: pair(c.strides),
          dilations: pair(c.dilationRate),
          pad: conv.pad,
          activation: conv.activation,
        };
        const { input, output } = conv;
        push(
          depthwise
            ? (values) => values.set(output, tf.fused.depthwiseConv2d({ ...args, x: values.get(input) as tf.Tensor4D }))
            : (values) => values.set(output, tf.fused.conv2d({ ...args, x: values.get(input) as tf.Tensor4D })),
          [input],
          [output],
        );
        continue;
      }
      const dense = denses.get(call);
      if (dense !== undefined) {
        const [kernel, maybeBias] = call.layer.getWeights();
        const b = keep(kernel.clone()) as tf.Tensor2D;
        const bias = config(call.layer).useBias ? keep(maybeBias.clone()) : undefined;
        const [input] = call.inputs;
        const { output, activation } = dense;
        push((values) => values.set(output, tf.fused.matMul({ a: values.get(input) as tf.Tensor2D, b, bias, activation })), [input], [output]);
        continue;
      }
      if (call.layer instanceof AttentionLayer && call.inputs.length === 1 && call.outputs.length === 1) {
        const [, h, w, c] = call.inputTensors[0].shape;
        const { run, report } = compileAttention(call.layer, [1, h ?? 1, w ?? 1, c!], keep);
        attention.push(report);
        const [input] = call.inputs;
        const [output] = call.outputs;
        push((values) => values.set(output, run(values.get(input)!)), call.inputs, call.outputs);
        continue;
      }
      push(runOp(call) ?? runLayer(call), call.inputs, call.outputs);
    }
  });

  const [inputKey] = graph.inputs;
  const [outputKey] = graph.outputs;
  // Free each intermediate right after the last step that reads it (as LayersModel.execute
  // does): the wasm heap then reuses warm memory instead of growing through the whole network.
  const lastRead = new Map<string, number>();
  for (const [i, inputs] of reads.entries()) for (const key of inputs) lastRead.set(key, i);
  // Stryker disable next-line ArrayDeclaration: a key no step wrote is skipped below (`t === undefined`)
  const freeAfter: string[][] = steps.map(() => []);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the input is never disposed (`t !== input` below) and no step reads the output
  for (const [key, i] of lastRead) if (key !== inputKey && key !== outputKey) freeAfter[i].push(key);
  let disposed = false;
  const infer = ((input: tf.Tensor4D) => {
    if (disposed) throw new AttnkitError(ErrorCodes.UNSUPPORTED, 'this inference function was disposed; compile the model again', {});
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[inputKey, input]]);
      /** How many keys hold each tensor: a layer may pass its input through as its output. */
      const holders = new Map<tf.Tensor, number>([[input, 1]]);
      for (const [i, step] of steps.entries()) {
        step(values);
        for (const key of writes[i]) {
          const t = values.get(key)!;
          holders.set(t, (holders.get(t) ?? 0) + 1);
        }
        for (const key of freeAfter[i]) {
          const t = values.get(key);
          if (t === undefined) continue;
          values.delete(key);
          const left = holders.get(t)! - 1;
          holders.set(t, left);
          if (left === 0 && t !== input) t.dispose();
        }
      }
      return values.get(outputKey)!;
    });
  }) as InferenceFunction;
  Object.assign(infer, {
    dispose() {
      disposed = true;
      tf.dispose(owned);
      owned.length = 0;
    },
    summary: {
      steps: steps.length,
      layers,
      foldedBatchNorms: [...convs.values()].filter((p) => p.batchNorm !== undefined).length,
      fusedActivations: [...convs.values()].filter((p) => p.activation !== 'linear').length + [...denses.values()].filter((d) => d.activation !== 'linear').length,
      attention,
    },
    warnings: attention.filter((r) => r.notFused.length > 0).map((r) => `${r.module} '${r.layer}' runs unfused: ${r.notFused.join('; ')}`),
  });
  return infer;
}
