/**
 * Generic helpers for editing an `OnnxGraph`: who produces and who consumes each tensor, a
 * topological order, and fresh names that collide with nothing in the graph.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type { OnnxGraph, OnnxNode } from './onnx-model.js';

/** The node that writes each tensor name. Graph inputs and initializers have no producer. */
export function producersOf(graph: OnnxGraph): Map<string, OnnxNode> {
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.nodes) {
    for (const output of node.outputs) if (output !== '') producers.set(output, node);
  }
  return producers;
}

/** The nodes that read each tensor name, in graph order (a node reading a tensor twice appears once). */
export function consumersOf(graph: OnnxGraph): Map<string, OnnxNode[]> {
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) {
    for (const input of new Set(node.inputs)) {
      if (input === '') continue;
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }
  return consumers;
}

/** Every name in use: tensors (inputs, outputs, initializers, value infos, node outputs) and node names. */
export function namesInGraph(graph: OnnxGraph): Set<string> {
  const names = new Set<string>();
  for (const info of [...graph.inputs, ...graph.outputs, ...(graph.valueInfo ?? [])]) names.add(info.name);
  for (const tensor of graph.initializers) names.add(tensor.name);
  for (const node of graph.nodes) {
    if (node.name) names.add(node.name);
    for (const name of [...node.inputs, ...node.outputs]) if (name !== '') names.add(name);
  }
  return names;
}

/** `base` if it is free, else `base_1`, `base_2`, ...; the chosen name is added to `taken`. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let suffix = 1; taken.has(name); suffix++) name = `${base}_${suffix}`;
  taken.add(name);
  return name;
}

/**
 * The nodes in an order where every node comes after the producers of its inputs (Kahn's
 * algorithm; ties keep graph order, so an already sorted graph comes back unchanged).
 * Throws INVALID_FILE on a cycle, naming the nodes on it.
 */
export function topologicalSort(graph: OnnxGraph): OnnxNode[] {
  const producers = producersOf(graph);
  const index = new Map(graph.nodes.map((node, position) => [node, position]));
  const waitingOn = new Map<OnnxNode, number>();
  const dependents = new Map<OnnxNode, OnnxNode[]>();
  for (const node of graph.nodes) {
    const upstream = new Set<OnnxNode>();
    for (const input of node.inputs) {
      const producer = producers.get(input);
      if (producer) upstream.add(producer);
    }
    waitingOn.set(node, upstream.size);
    for (const producer of upstream) {
      const list = dependents.get(producer);
      if (list) list.push(node);
      else dependents.set(producer, [node]);
    }
  }
  // Ready nodes are kept sorted by graph position.
  const ready = graph.nodes.filter((node) => waitingOn.get(node) === 0);
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node);
    for (const dependent of dependents.get(node) ?? []) {
      const remaining = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, remaining);
      if (remaining === 0) {
        const position = index.get(dependent)!;
        const at = ready.findIndex((other) => index.get(other)! > position);
        ready.splice(at === -1 ? ready.length : at, 0, dependent);
      }
    }
  }
  if (order.length < graph.nodes.length) {
    const stuck = graph.nodes.filter((node) => waitingOn.get(node)! > 0).map((node) => node.name || `${node.opType}(${node.outputs.join(', ')})`);
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `the graph has a cycle among ${stuck.length} nodes (${stuck.slice(0, 10).join(', ')}); an ONNX graph must be acyclic`,
      { nodes: stuck },
    );
  }
  return order;
}
