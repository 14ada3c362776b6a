import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * A read-only view of a LayersModel's layer graph (functional or sequential): every call of a
 * layer ("node", as tfjs-layers names them) reachable from the outputs, in an order where each
 * node comes after the nodes that produce its inputs. Insertion and fast inference walk it.
 */
export interface LayerCall {
  layer: tfl.layers.Layer;
  /** Index into `layer.inboundNodes`. */
  nodeIndex: number;
  /** Keys of the input tensors (see `tensorKey`); empty for an InputLayer. */
  inputs: string[];
  inputTensors: tfl.SymbolicTensor[];
  /** Keys of the output tensors, by tensor index. */
  outputs: string[];
  outputTensors: tfl.SymbolicTensor[];
  callArgs: Record<string, unknown>;
}

export interface ModelGraph {
  calls: LayerCall[];
  /** tensor key -> the calls that read it, with the input position. */
  consumers: Map<string, Array<{ call: LayerCall; index: number }>>;
  inputs: string[];
  outputs: string[];
}

/** The identity of a symbolic tensor: producing layer, node and output position. */
export const tensorKey = (t: tfl.SymbolicTensor): string => `${t.sourceLayer.name}#${t.nodeIndex}#${t.tensorIndex}`;

interface InboundNode {
  inputTensors: tfl.SymbolicTensor[];
  outputTensors: tfl.SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

export function readModelGraph(model: tfl.LayersModel): ModelGraph {
  const calls: LayerCall[] = [];
  const done = new Set<string>();
  const visit = (t: tfl.SymbolicTensor): void => {
    const layer = t.sourceLayer as tfl.layers.Layer;
    const callKey = `${layer.name}#${t.nodeIndex}`;
    if (done.has(callKey)) return;
    done.add(callKey);
    const node = (layer.inboundNodes as unknown as InboundNode[])[t.nodeIndex];
    const isInput = layer.getClassName() === 'InputLayer';
    const inputTensors = isInput ? [] : node.inputTensors;
    for (const input of inputTensors) visit(input);
    calls.push({
      layer,
      nodeIndex: t.nodeIndex,
      inputs: inputTensors.map(tensorKey),
      inputTensors,
      outputs: node.outputTensors.map(tensorKey),
      outputTensors: node.outputTensors,
      callArgs: node.callArgs ?? {},
    });
  };
  for (const output of model.outputs) visit(output);
  const consumers = new Map<string, Array<{ call: LayerCall; index: number }>>();
  for (const call of calls) {
    for (const [index, key] of call.inputs.entries()) {
      const list = consumers.get(key) ?? [];
      list.push({ call, index });
      consumers.set(key, list);
    }
  }
  return { calls, consumers, inputs: model.inputs.map(tensorKey), outputs: model.outputs.map(tensorKey) };
}
