#!/usr/bin/env node
/**
 * Writes a weightless copy of an .onnx model: every initializer keeps its name, dims and data
 * type, its data is dropped (raw_data empty, no typed data, no external data), and the model's
 * metadata_props records `attnkit.stripped_initializers=true` (plus how many were stripped).
 * The graph, node names and attributes are untouched, so the file is the network's structure at
 * a few hundred bytes per node. `attnkit bench` fills such a graph again from the same folded
 * weights it emits for a zoo model (a config entry with "weightsFrom").
 *
 *   node tools/strip-onnx-weights.mjs <in.onnx> <out.onnx>
 *
 * Reads @attnkit/onnx from packages/onnx/dist (build it first: pnpm --filter @attnkit/onnx build).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export const STRIPPED_KEY = 'attnkit.stripped_initializers';

const [input, output] = process.argv.slice(2);
if (!input || !output || process.argv.length !== 4) {
  console.error('usage: node tools/strip-onnx-weights.mjs <in.onnx> <out.onnx>');
  process.exit(2);
}

const { decodeModel, encodeModel } = await import(new URL('../packages/onnx/dist/index.js', import.meta.url).href);
const model = decodeModel(new Uint8Array(readFileSync(input)));
const dataFields = ['floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'stringData', 'externalData', 'dataLocation', 'segment'];
let values = 0;
const initializers = model.graph.initializers.map((tensor) => {
  const stripped = { ...tensor, rawData: new Uint8Array(0) };
  for (const field of dataFields) delete stripped[field];
  values += tensor.dims.reduce((a, b) => a * b, 1);
  return stripped;
});
const metadata = (model.metadataProps ?? []).filter((e) => e.key !== STRIPPED_KEY && e.key !== `${STRIPPED_KEY}.count`);
metadata.push({ key: STRIPPED_KEY, value: 'true' }, { key: `${STRIPPED_KEY}.count`, value: String(initializers.length) });
const bytes = encodeModel({ ...model, graph: { ...model.graph, initializers }, metadataProps: metadata });
const temporary = `${output}.tmp-${process.pid}`;
writeFileSync(temporary, bytes);
renameSync(temporary, output);
console.log(`${output}: ${bytes.length} bytes (from ${readFileSync(input).length}); ${initializers.length} initializers stripped (${values} values), ${model.graph.nodes.length} nodes`);
