import type { AttentionConfig } from './attention.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import type { OpName } from './ops.js';
import type { ParamSpec } from './parameter.js';
import type { Shape } from './tensor.js';

/**
 * The graph IR a traced forward pass produces. Values are numbered; each node computes one
 * value from earlier ones. Counting, insertion reports and ONNX emission read it.
 */
export interface GraphValue {
  id: number;
  shape: Shape;
  kind: 'input' | 'param' | 'node';
}

export interface GraphNode {
  op: OpName;
  inputs: number[];
  output: number;
  attributes: Record<string, unknown>;
  /** The module path the node belongs to, e.g. `layer1.0.eca` ('' at the top). */
  scope: string;
}

export interface GraphParameter {
  /** Full PyTorch state-dict name, e.g. `layer1.0.eca.conv.weight`. */
  name: string;
  spec: ParamSpec;
  value: number;
}

/** One inserted attention module: the insertion report reads these. */
export interface AttentionCall {
  /** Path of the host block, e.g. `layer1.0` (the insertion point). */
  path: string;
  /** Path of the module itself, e.g. `layer1.0.eca`. */
  scope: string;
  id: string;
  channels: number;
  options: Readonly<Record<string, unknown>>;
  config: AttentionConfig;
  kernelSize?: number;
  parameters: number;
  stage?: number;
  input: number;
  output: number;
  /** Nodes [firstNode, endNode) of `nodes` belong to this module. */
  firstNode: number;
  endNode: number;
}

export interface Graph {
  name: string;
  input: number;
  outputs: number[];
  values: GraphValue[];
  nodes: GraphNode[];
  params: GraphParameter[];
  attention: AttentionCall[];
}

/**
 * Throws INTERNAL unless every node reads only the input, parameters and earlier nodes' outputs:
 * the order `traceNetwork` always writes and every consumer of the IR relies on.
 */
export function checkGraphOrder(graph: Graph): void {
  const ready = new Set<number>([graph.input, ...graph.params.map((p) => p.value)]);
  for (const [index, node] of graph.nodes.entries()) {
    const early = node.inputs.find((id) => id >= 0 && !ready.has(id));
    if (early !== undefined) {
      throw new AttnkitError(ErrorCodes.INTERNAL, `node ${index} (${node.op}) reads value ${early} before it is computed: the graph's nodes are not in topological order, which traceNetwork always keeps`, {
        node: index,
        value: early,
      });
    }
    ready.add(node.output);
  }
}
