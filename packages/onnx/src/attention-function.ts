/**
 * Each attention module as an ONNX model-local function in the domain `ai.attnkit`, so a graph
 * viewer shows one `ECA_k3` (or `SE`, `CBAM`) node per insertion point. The body is translated
 * from the module's IR nodes; its inputs are `X` and the module's parameters under their local
 * PyTorch names (`conv.weight`), so the initializers keep full state-dict names at the call.
 * One function per module type and config (the channel count never enters a body: shapes are
 * taken at run time).
 */
import type { AttentionCall, Graph } from '@attnkit/core';
import { FunctionSink } from './node-sinks.js';
import type { OnnxFunction } from './onnx-model.js';
import { type TranslateOptions, translateOp } from './translate-op.js';

export const ATTNKIT_DOMAIN = 'ai.attnkit';
export const ATTNKIT_DOMAIN_VERSION = 1;

/** A call's parameters (full names and value ids) in declaration order. */
export function callParameters(graph: Graph, call: AttentionCall): Array<{ name: string; localName: string; value: number }> {
  const prefix = `${call.scope}.`;
  return graph.params.filter((p) => p.name.startsWith(prefix)).map((p) => ({ name: p.name, localName: p.name.slice(prefix.length), value: p.value }));
}

/** `eca` -> `ECA`, `eca-ns` -> `ECA_NS`, `se-var1` -> `SE_VAR1`. */
export function functionBaseName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The body of one attention call as a function (name to be chosen by `AttentionFunctionSet`). */
export function buildAttentionFunction(graph: Graph, call: AttentionCall, opset: number, options: TranslateOptions = {}): OnnxFunction {
  const sink = new FunctionSink(opset);
  const names = new Map<number, string>([[call.input, 'X']]);
  const params = callParameters(graph, call);
  for (const p of params) names.set(p.value, p.localName);
  const shapeOf = (id: number) => graph.values[id].shape;
  for (let i = call.firstNode; i < call.endNode; i++) {
    const node = graph.nodes[i];
    const inputs = node.inputs.map((id) => (id < 0 ? '' : names.get(id)!));
    names.set(node.output, translateOp(sink, node, inputs, shapeOf, node.output === call.output ? 'Y' : undefined, options));
  }
  return {
    name: functionBaseName(call.id),
    domain: ATTNKIT_DOMAIN,
    inputs: ['X', ...params.map((p) => p.localName)],
    outputs: ['Y'],
    attributes: [],
    nodes: sink.nodes,
    opsetImports: [{ domain: '', version: opset }],
    docString: `attnkit ${call.id} ${JSON.stringify(call.config)}`,
  };
}

/**
 * The functions of one model: identical bodies share one function; a body that differs gets a
 * name of its own (`ECA_k3`, `ECA_k5`).
 */
export class AttentionFunctionSet {
  readonly functions: OnnxFunction[];

  constructor(existing: readonly OnnxFunction[] = []) {
    this.functions = [...existing];
  }

  /** Returns the name of a function with this body, adding it when new. */
  add(fn: OnnxFunction, config: { kernelSize?: number }): string {
    const body = JSON.stringify([fn.inputs, fn.outputs, fn.nodes, fn.opsetImports]);
    for (const existing of this.functions) {
      if (existing.domain === fn.domain && JSON.stringify([existing.inputs, existing.outputs, existing.nodes, existing.opsetImports]) === body) return existing.name;
    }
    const base = config.kernelSize === undefined ? fn.name : `${fn.name}_k${config.kernelSize}`;
    let name = base;
    for (let n = 2; this.functions.some((f) => f.domain === fn.domain && f.name === name); n++) name = `${base}_v${n}`;
    this.functions.push({ ...fn, name });
    return name;
  }
}
