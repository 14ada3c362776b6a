/**
 * ONNX models whose initializers live in a file beside them (onnx.save(..., save_as_external_data=True)):
 * `run` reads them, `insert` writes the data beside its output with the references rewritten, and
 * a dynamic batch dim (torch.onnx.export's dynamic_axes) is bound to the batch `run` runs.
 */
import '@attnkit/eca';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModel, encodeModel, externalDataReferences, externalizeTensors } from '@attnkit/onnx';
import { describe, expect, it } from 'vitest';
import { insertIntoFile } from '../src/commands/insert.js';
import { runModel } from '../src/commands/run.js';
import { temporaryDirectory } from './test-support.js';

const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/', import.meta.url));
const root = temporaryDirectory('attnkit-external-');

/** resnet18_w8.onnx with every initializer in `weights.bin` beside it, in `folder`. */
function externalCopy(folder: string): string {
  mkdirSync(folder, { recursive: true });
  const model = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'resnet18_w8.onnx'))));
  const data = externalizeTensors(model, new Set(model.graph.initializers.map((t) => t.name)), 'weights.bin');
  writeFileSync(join(folder, 'weights.bin'), data);
  writeFileSync(join(folder, 'model.onnx'), encodeModel(model));
  return join(folder, 'model.onnx');
}

describe('ONNX external data', () => {
  it('run gives the same output as the embedded model', async () => {
    const path = externalCopy(join(root, 'run'));
    const external = await runModel(path, { backend: 'onnx-node', iterations: '1' });
    const embedded = await runModel(join(fixtures, 'resnet18_w8.onnx'), { backend: 'onnx-node', iterations: '1' });
    expect(external.outputShape).toEqual(embedded.outputShape);
    expect(external.output).toEqual(embedded.output);
  });

  it('insert writes <out>.onnx.data beside the output (creating its folder), references rewritten, and the result runs', async () => {
    const path = externalCopy(join(root, 'insert'));
    const out = join(root, 'insert-out', 'nested', 'eca.onnx');
    const result = await insertIntoFile(path, { attention: 'eca', at: 'residual', out });
    expect(result.files).toEqual([out, `${out}.data`]);
    expect(readdirSync(join(root, 'insert-out', 'nested')).sort()).toEqual(['eca.onnx', 'eca.onnx.data']);
    const written = decodeModel(new Uint8Array(readFileSync(out)));
    const references = externalDataReferences(written);
    // The input's initializers stay external, now in eca.onnx.data; the inserted ECA weights are embedded.
    expect(new Set(references.map((r) => r.location))).toEqual(new Set(['eca.onnx.data']));
    expect(references.length).toBe(decodeModel(new Uint8Array(readFileSync(path))).graph.initializers.length);
    const ran = await runModel(out, { backend: 'onnx-node', iterations: '1' });
    expect(ran.outputShape).toEqual([1, 10]);
  });

  it('run binds a symbolic batch dim to 1', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'resnet18_w8.onnx'))));
    const input = model.graph.inputs[0].type as { shape: Array<number | string | null> };
    input.shape[0] = 'batch';
    for (const output of model.graph.outputs) (output.type as { shape: Array<number | string | null> }).shape[0] = 'batch';
    const path = join(root, 'dynamic.onnx');
    writeFileSync(path, encodeModel(model));
    const dynamic = await runModel(path, { backend: 'onnx-node', iterations: '1' });
    const fixed = await runModel(join(fixtures, 'resnet18_w8.onnx'), { backend: 'onnx-node', iterations: '1' });
    expect(dynamic.outputShape).toEqual([1, 10]);
    expect(dynamic.output).toEqual(fixed.output);
  });
});
