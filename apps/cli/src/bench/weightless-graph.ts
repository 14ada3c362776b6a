import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type { OnnxModel, OnnxNode, OnnxTensor } from '@attnkit/onnx';

/**
 * Weightless graphs: a .onnx file whose initializers keep name, dims and data type but no data
 * (written by tools/strip-onnx-weights.mjs, which records `attnkit.stripped_initializers=true`
 * in metadata_props). The bench's torch.onnx.export reference of ResNet-50 is committed that way
 * (24 KB instead of 100 MB) and filled, at run time, from the initializers our emitter writes
 * for the same zoo network with the same seed.
 *
 * Matching is by node name and input position: torch.onnx.export names a node after its module
 * path (`/layer1/layer1.0/conv1/Conv`, `/fc/Gemm`) and so does our emitter, whatever either calls
 * the initializers (`onnx::Conv_497` and `fc.weight` there, `layer1.0.conv1.folded_weight` here).
 */
export const STRIPPED_INITIALIZERS_KEY = 'attnkit.stripped_initializers';
export const WEIGHTS_FROM_KEY = 'attnkit.weights_from';

/** Whether a model says its initializers were stripped, or has an initializer without data. */
export function isWeightless(model: OnnxModel): boolean {
  if (model.metadataProps?.some((e) => e.key === STRIPPED_INITIALIZERS_KEY && e.value === 'true')) return true;
  return model.graph.initializers.some((t) => !hasData(t) && t.dims.every((d) => d > 0));
}

function hasData(tensor: OnnxTensor): boolean {
  return (
    (tensor.rawData?.length ?? 0) > 0 ||
    (tensor.floatData?.length ?? 0) > 0 ||
    (tensor.int32Data?.length ?? 0) > 0 ||
    (tensor.int64Data?.length ?? 0) > 0 ||
    (tensor.doubleData?.length ?? 0) > 0 ||
    (tensor.uint64Data?.length ?? 0) > 0 ||
    (tensor.stringData?.length ?? 0) > 0 ||
    (tensor.externalData?.length ?? 0) > 0
  );
}

const dataFields = ['rawData', 'floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'stringData', 'externalData', 'dataLocation', 'segment'] as const;

/** A problem found while filling: which target initializer, and why. */
export interface FillProblem {
  initializer: string;
  node?: string;
  message: string;
}

export interface FillResult {
  model: OnnxModel;
  /** Target initializer name -> `<source node>#<input position>` it was filled from. */
  filled: Map<string, string>;
}

/**
 * Fills every initializer of `target` with the data of the initializer at the same input position
 * of the same-named node in `source`. Returns a new model (the inputs are not modified). Throws
 * `WEIGHTS_MISMATCH` listing every initializer that stays unfilled (no node of that name in
 * `source`, a different op, no initializer at that position) or whose dims or data type differ.
 */
export function fillInitializers(target: OnnxModel, source: OnnxModel, labels: { target: string; source: string }): FillResult {
  const sourceInitializers = new Map(source.graph.initializers.map((t) => [t.name, t]));
  const sourceNodes = new Map<string, OnnxNode>();
  for (const node of source.graph.nodes) if (node.name) sourceNodes.set(node.name, node);
  const targetNames = new Set(target.graph.initializers.map((t) => t.name));
  const targetByName = new Map(target.graph.initializers.map((t) => [t.name, t]));
  const filledFrom = new Map<string, { tensor: OnnxTensor; from: string }>();
  const problems: FillProblem[] = [];
  for (const node of target.graph.nodes) {
    node.inputs.forEach((input, position) => {
      if (!targetNames.has(input)) return;
      const where = `${node.name ?? `(unnamed ${node.opType})`} input ${position}`;
      const counterpart = node.name === undefined ? undefined : sourceNodes.get(node.name);
      if (counterpart === undefined) {
        problems.push({ initializer: input, node: node.name, message: `${input} (${where}): ${labels.source} has no node named '${node.name ?? ''}'` });
        return;
      }
      if (counterpart.opType !== node.opType) {
        problems.push({ initializer: input, node: node.name, message: `${input} (${where}): ${labels.source}'s node of that name is a ${counterpart.opType}, not a ${node.opType}` });
        return;
      }
      const sourceTensor = sourceInitializers.get(counterpart.inputs[position] ?? '');
      if (sourceTensor === undefined) {
        problems.push({ initializer: input, node: node.name, message: `${input} (${where}): ${labels.source} has no initializer at that input (it has '${counterpart.inputs[position] ?? 'nothing'}')` });
        return;
      }
      const tensor = targetByName.get(input)!;
      if (sourceTensor.dataType !== tensor.dataType || sourceTensor.dims.join(',') !== tensor.dims.join(',')) {
        problems.push({
          initializer: input,
          node: node.name,
          message: `${input} (${where}): shape [${tensor.dims.join(', ')}] type ${tensor.dataType}, but ${labels.source}'s ${sourceTensor.name} is [${sourceTensor.dims.join(', ')}] type ${sourceTensor.dataType}`,
        });
        return;
      }
      const earlier = filledFrom.get(input);
      if (earlier !== undefined && earlier.tensor !== sourceTensor) {
        problems.push({ initializer: input, node: node.name, message: `${input} (${where}): used by two nodes whose counterparts have different initializers (${earlier.from} and ${sourceTensor.name})` });
        return;
      }
      filledFrom.set(input, { tensor: sourceTensor, from: `${counterpart.name}#${position}` });
    });
  }
  const reported = new Set(problems.map((p) => p.initializer));
  for (const tensor of target.graph.initializers) {
    if (!filledFrom.has(tensor.name) && !reported.has(tensor.name)) problems.push({ initializer: tensor.name, message: `${tensor.name}: no node of ${labels.target} takes it as an input, so nothing says which weights it holds` });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 12).map((p) => `  - ${p.message}`);
    if (problems.length > shown.length) shown.push(`  ... and ${problems.length - shown.length} more`);
    throw new AttnkitError(
      ErrorCodes.WEIGHTS_MISMATCH,
      `cannot fill ${problems.length} of the ${target.graph.initializers.length} initializers of ${labels.target} from ${labels.source} (matched by node name and input position; both must be the same network):\n${shown.join('\n')}`,
      { problems, unfilled: problems.map((p) => p.initializer) },
    );
  }
  const initializers = target.graph.initializers.map((tensor) => {
    const { tensor: from } = filledFrom.get(tensor.name)!;
    const filled: OnnxTensor = { ...tensor };
    for (const field of dataFields) delete filled[field];
    for (const field of dataFields) if (from[field] !== undefined) (filled as unknown as Record<string, unknown>)[field] = from[field];
    return filled;
  });
  const metadataProps = (target.metadataProps ?? []).filter((e) => !e.key.startsWith(STRIPPED_INITIALIZERS_KEY) && e.key !== WEIGHTS_FROM_KEY);
  metadataProps.push({ key: WEIGHTS_FROM_KEY, value: labels.source });
  return {
    model: { ...target, graph: { ...target.graph, initializers }, metadataProps },
    filled: new Map([...filledFrom].map(([name, { from }]) => [name, from])),
  };
}
