/**
 * "Your own model": drop a .onnx, a tfjs model.json with its weight shards (or their folder), or
 * a .safetensors. A model shows its convolutions and the insertion points the `residual` preset
 * chooses; the chosen module is inserted (@attnkit/onnx / @attnkit/tfjs insertAttention), the
 * original and the new model run on the sample image, and the new model is offered for
 * download. A .safetensors is loaded into the configured zoo network with @attnkit/zoo's reader.
 * Errors are the packages' typed errors, shown with their code.
 */
import { type AttentionSpec, listAttention } from '@attnkit/core';
import { type OnnxModel, createRunner, decodeModel, encodeModel, insertAttention as insertOnnx } from '@attnkit/onnx';
import { insertAttention as insertTfjs, useBackend } from '@attnkit/tfjs';
import { createBackbone, listBackbones, loadWeights } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AttentionView } from './attention-view.js';
import { tfjsBackendPackages } from './browser-backends.js';
import { drawSampleImage, imageTensor } from './sample-image.js';
import { isolated, wasmBase } from './site-paths.js';
import { acceptDrops, element, labelled, runMarked, table } from './dom.js';

const topFive = (logits: Float32Array) =>
  Array.from(logits, (value, index) => ({ value, index }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 5);

export function createOwnModelView(root: HTMLElement, attentionView?: AttentionView): void {
  const module = element('select');
  for (const definition of listAttention()) module.add(new Option(definition.id, definition.id, false, definition.id === 'eca'));
  const backbone = element('select');
  for (const name of listBackbones()) backbone.add(new Option(name, name));
  const files = element('input', { type: 'file', multiple: true, accept: '.onnx,.json,.bin,.safetensors' });
  const folder = element('input', { type: 'file', multiple: true });
  folder.setAttribute('webkitdirectory', '');
  const zone = element('div', { className: 'drop-zone', textContent: 'Drop a .onnx, a tfjs model.json with its .bin shards (or their folder), or a .safetensors here' });
  const status = element('p', { className: 'note' });
  status.setAttribute('role', 'status');
  const output = element('div', { className: 'own-output' });
  root.append(
    element('div', { className: 'row' }, labelled('own-module', 'Module to insert', module), labelled('own-backbone', '.safetensors: zoo backbone', backbone)),
    zone,
    element('div', { className: 'row' }, labelled('own-files', 'Choose files', files), labelled('own-folder', 'Or a folder', folder)),
    status,
    output,
  );

  const handle = (list: File[]) => {
    if (list.length === 0) return;
    output.replaceChildren();
    status.textContent = `Reading ${list.map((f) => f.name).join(', ')}…`;
    runMarked('ownModel', status, output, () => process(list));
  };
  files.addEventListener('change', () => handle([...(files.files ?? [])]));
  folder.addEventListener('change', () => handle([...(folder.files ?? [])]));
  acceptDrops(zone, handle);

  async function process(list: File[]) {
    const spec = module.value as AttentionSpec;
    const onnxFile = list.find((f) => f.name.toLowerCase().endsWith('.onnx'));
    const manifest = list.find((f) => f.name.toLowerCase().endsWith('.json'));
    const weightsFile = list.find((f) => f.name.toLowerCase().endsWith('.safetensors'));
    if (onnxFile) return onnxModel(onnxFile, spec);
    if (manifest) return tfjsModel(manifest, list.filter((f) => f !== manifest), spec);
    if (weightsFile) return safetensors(weightsFile, spec);
    throw new Error(`none of ${list.map((f) => f.name).join(', ')} is a .onnx, a model.json or a .safetensors`);
  }

  async function onnxModel(file: File, spec: AttentionSpec) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const original = decodeModel(bytes);
    const convs = original.graph.nodes.filter((n) => n.opType === 'Conv');
    const { model: inserted, report } = insertOnnx(original, { attention: spec, at: 'residual', seed: 0 });
    const insertedBytes = encodeModel(inserted);
    output.append(
      element('p', {}, `${file.name}: ${original.graph.nodes.length} nodes, ${convs.length} convolutions; the residual preset chose ${report.length} insertion points for ${typeof spec === 'string' ? spec : spec.type}.`),
      table('Convolutions', ['node', 'input', 'output'], convs.map((n) => [n.name ?? '', n.inputs[0] ?? '', n.outputs[0] ?? ''])),
      table('Insertion points (residual preset)', ['inserted node', 'after tensor', 'channels', 'k', 'parameters'], report.map((e) => [e.node, e.tensor, String(e.channels), e.kernelSize === undefined ? '-' : String(e.kernelSize), String(e.parameters)])),
    );
    const input = inputOf(original);
    const runner = await createRunner({ runtime: 'onnxruntime-web', threads: isolated ? 2 : 1, wasmPaths: wasmBase.ort, importRuntime: { 'onnxruntime-web': () => import('onnxruntime-web/wasm') } });
    const outputs: Float32Array[] = [];
    for (const modelBytes of [bytes, insertedBytes]) {
      const session = await runner.load(modelBytes);
      const result = await session.run({ [session.inputNames[0]]: input });
      outputs.push(result[session.outputNames[0]].data);
      await session.dispose();
    }
    showTopFive(outputs[0], outputs[1], `${input.dims.join(' x ')} sample image`);
    const name = `${file.name.replace(/\.onnx$/i, '')}-${typeof spec === 'string' ? spec : spec.type}.onnx`;
    const link = element('a', { className: 'button', textContent: `Download ${name}`, download: name, href: URL.createObjectURL(new Blob([insertedBytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' })) });
    link.id = 'own-download';
    output.append(link);
    status.textContent = `Inserted ${report.length} modules; both models ran on onnxruntime-web (wasm).`;
  }

  function inputOf(model: OnnxModel): { dims: number[]; data: Float32Array } {
    const initializers = new Set(model.graph.initializers.map((t) => t.name));
    const graphInput = model.graph.inputs.find((i) => !initializers.has(i.name));
    const shape = graphInput?.type?.kind === 'tensor' ? (graphInput.type.shape ?? []) : [];
    // Symbolic or unknown dims (a dynamic batch or size) become 1 image at 224 x 224.
    const dims = shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : i === 1 ? 3 : 224));
    const [, , height = 224, width = 224] = dims;
    const image = imageTensor(drawSampleImage(Math.max(height, width)), height, width);
    return { dims: [1, 3, height, width], data: image.data };
  }

  function showTopFive(before: Float32Array, after: Float32Array, what: string) {
    let maxAbs = 0;
    for (let i = 0; i < before.length; i++) maxAbs = Math.max(maxAbs, Math.abs(before[i] - after[i]));
    const a = topFive(before);
    const b = topFive(after);
    output.append(
      table(
        `Top 5 logits on the ${what} (untrained modules change the output: max |difference| ${maxAbs.toExponential(2)})`,
        ['rank', 'original: class', 'logit', 'with attention: class', 'logit'],
        a.map((entry, i) => [String(i + 1), String(entry.index), entry.value.toFixed(4), String(b[i].index), b[i].value.toFixed(4)]),
      ),
    );
  }

  async function tfjsModel(manifest: File, shards: File[], spec: AttentionSpec) {
    await tfjsBackendPackages.cpu();
    await useBackend('cpu');
    const model = await tfl.loadLayersModel(tf.io.browserFiles([manifest, ...shards.filter((f) => !f.name.endsWith('.json'))]));
    const convs = model.layers.filter((l) => /conv/i.test(l.getClassName()));
    const { model: inserted, report } = insertTfjs(model, { attention: spec, after: 'residual', seed: 0 });
    output.append(
      element('p', {}, `${manifest.name}: ${model.layers.length} layers, ${convs.length} convolutions; the residual preset chose ${report.length} insertion points.`),
      table('Convolutions', ['layer', 'class', 'output shape'], convs.map((l) => [l.name, l.getClassName(), JSON.stringify(l.outputShape)])),
      table('Insertion points (residual preset)', ['inserted layer', 'after layer', 'before Add', 'channels', 'k'], report.map((e) => [e.name, e.layer, e.before ?? '', String(e.channels), e.kernelSize === undefined ? '-' : String(e.kernelSize)])),
    );
    const [, height = 224, width = 224] = (model.inputs[0].shape as (number | null)[]).map((d) => d ?? 224);
    const image = imageTensor(drawSampleImage(Math.max(height, width)), height, width);
    const x = tf.tidy(() => tf.transpose(tf.tensor4d(image.data, [1, 3, height, width]), [0, 2, 3, 1]));
    const before = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const after = (await (inserted.predict(x) as tf.Tensor).data()) as Float32Array;
    x.dispose();
    showTopFive(before, after, `${height} x ${width} sample image`);
    const save = element('button', { type: 'button', textContent: 'Download the new model.json and weights' });
    save.addEventListener('click', () => void inserted.save(`downloads://${manifest.name.replace(/\.json$/i, '')}-${typeof spec === 'string' ? spec : spec.type}`));
    output.append(save);
    status.textContent = `Inserted ${report.length} modules; both models ran on tfjs (cpu).`;
  }

  async function safetensors(file: File, spec: AttentionSpec) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const network = createBackbone(backbone.value, { attention: spec });
    const loaded = loadWeights(network, bytes);
    const report = loaded.report as unknown as Record<string, unknown[]>;
    output.append(element('p', {}, `${file.name}: ${loaded.weights.size} tensors loaded into ${backbone.value} + ${typeof spec === 'string' ? spec : spec.type} (convention ${loaded.convention}${Array.isArray(report.missing) && report.missing.length ? `, ${report.missing.length} missing filled with the seeded init` : ''}).`));
    attentionView?.useWeights(loaded.weights, file.name);
    status.textContent = 'Weights loaded; "See the attention" now uses them for this backbone and module.';
  }
}
