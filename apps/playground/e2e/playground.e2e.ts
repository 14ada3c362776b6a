/**
 * The built playground in Debian's Chromium, served as a static host would (with and without
 * cross-origin isolation): config through the form, every backend this browser has (WebGPU
 * through SwiftShader: correctness only), numbers against a Node run of the same seed, ECA
 * inserted into a dropped .onnx and a dropped tfjs model (each download loaded and run in
 * Node), typed errors, layout at desktop and phone widths, labels and keyboard. Screenshots go
 * to e2e-artifacts/ (git-ignored).
 */
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, initializeWeights, randomTensor, runReference, traceNetwork } from '@attnkit/core';
import { createRunner, decodeModel } from '@attnkit/onnx';
import { toLayersModel } from '@attnkit/tfjs';
import { createBackbone } from '@attnkit/zoo';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { serveSite } from './serve-site.js';

const root = fileURLToPath(new URL('../dist', import.meta.url));
const artifacts = fileURLToPath(new URL('../e2e-artifacts/', import.meta.url));
const resnet18Onnx = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/resnet18_w8.onnx', import.meta.url));
// `attnkit classify`'s golden (tools/golden/make_golden_photo.py): torchvision's top-5 of a seeded
// ResNet-18 at width 4 on photo.jpg, through PIL + transforms, softmax in float64.
const photoFixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/photo/', import.meta.url));
const classifyGolden = JSON.parse(readFileSync(`${photoFixtures}photo.json`, 'utf8')).classify as { top: Array<{ index: number; label: string; probability: number }>; weights: string };
mkdirSync(artifacts, { recursive: true });

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

let browser: Promise<Browser> | undefined;
async function openPage(options: { isolated: boolean; hash?: string; viewport?: { width: number; height: number } }): Promise<{ page: Page; errors: string[] }> {
  if (browser === undefined) {
    browser = launchChromium();
    closers.push(async () => (await browser!).close());
  }
  const site = await serveSite(root, { isolated: options.isolated });
  closers.push(site.close);
  const page = await (await browser).newPage({ viewport: options.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${site.origin}/${options.hash ?? ''}`);
  await page.waitForSelector('body[data-backends="checked"]', { timeout: 60_000 });
  return { page, errors };
}

/** A config small enough to run every backend in seconds (ResNet-18, 10 classes, 32 px). */
const smallConfig = (backends: string[], attention: Array<AttentionSpec | 'none'> = ['none', 'eca']) => ({
  models: [{ backbone: 'resnet18', options: { numClasses: 10 } }],
  attention,
  backends,
  inputSizes: [32],
  seed: 3,
  warmup: { minIterations: 1, maxIterations: 2, maxSeconds: 5, stableWithin: 0.5, window: 2 },
  measure: { iterations: 2, iterationsPerRound: 1 },
  machineLimit: { enabled: false },
});
const hashOf = (config: unknown) => `#config=${encodeURIComponent(JSON.stringify(config))}`;

/** The first logits Node computes for the same network, seed and input (core's reference interpreter). */
function nodeLogits(attention: AttentionSpec | undefined, seed: number): number[] {
  const network = createBackbone('resnet18', { numClasses: 10, ...(attention === undefined ? {} : { attention }) });
  const shape = [1, 3, 32, 32];
  const [output] = runReference(network, initializeWeights(traceNetwork(network, shape), seed), randomTensor(shape, seed, 'input'));
  return Array.from(output.data.subarray(0, 5));
}

async function runBench(page: Page, name: string) {
  await page.click('#run-bench');
  await page.waitForSelector('body[data-bench="done"], body[data-bench="failed"]', { timeout: 400_000 });
  await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
  expect(await page.getAttribute('body', 'data-bench')).toBe('done');
  return page.$$eval('table.results tbody tr', (rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return { attention: cells[1], backend: cells[2], status: cells[11], logits: cells[13] };
    }),
  );
}

function expectLogitsMatch(rendered: string, expected: number[]) {
  const values = rendered.split(', ').map(Number);
  expect(values).toHaveLength(5);
  values.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected[i]))));
}

describe('the built playground in Chromium', () => {
  it('cross-origin isolated: lists every backend, modules switch through the form, wasm and WebGL give the Node numbers for the same seed', async () => {
    const { page, errors } = await openPage({ isolated: true, hash: hashOf(smallConfig(['onnx-wasm'])) });
    expect(await page.textContent('#isolation-note')).toContain('runs with threads');
    const backends = await page.$$eval('fieldset input[id^="backend-"]', (boxes) => boxes.map((b) => ({ name: (b as HTMLInputElement).value, disabled: (b as HTMLInputElement).disabled })));
    expect(backends.map((b) => b.name)).toEqual(['onnx-wasm', 'onnx-webgpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu']);
    // This Chromium runs with SwiftShader's Vulkan and GL: WebGPU and WebGL 2 are there.
    expect(backends.filter((b) => b.disabled)).toEqual([]);
    for (const name of ['tfjs-wasm', 'tfjs-webgl']) await page.check(`#backend-${name}`);
    // Switch modules through the form: add SE, set ECA's kernel size to 5 in its generated control.
    await page.check('#attention-se');
    await page.click('summary:text-is("eca options")');
    await page.fill('#option-eca-kernelSize', '5');
    await page.press('#option-eca-kernelSize', 'Tab');
    const config = JSON.parse(await page.inputValue('#config-json'));
    expect(config.attention).toEqual(['none', { type: 'eca', kernelSize: 5 }, 'se']);
    expect(config.backends).toEqual(['onnx-wasm', 'tfjs-wasm', 'tfjs-webgl']);
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#config=${JSON.stringify(config)}`);

    const rows = await runBench(page, 'bench-isolated');
    const expected = new Map<string, number[]>([
      ['none', nodeLogits(undefined, 3)],
      ['eca{"kernelSize":5}', nodeLogits({ type: 'eca', kernelSize: 5 }, 3)],
      ['se', nodeLogits('se', 3)],
    ]);
    // onnx: one variant; each tfjs backend: the fast path for every module plus predict for the plain network.
    expect(rows).toHaveLength(3 + 2 * (3 + 1));
    for (const row of rows) {
      expect(row.status, `${row.attention} on ${row.backend}`).toBe('ok');
      expectLogitsMatch(row.logits, expected.get(row.attention) as number[]);
    }
    const download = await Promise.all([page.waitForEvent('download'), page.click('text=Download results.json')]);
    const results = JSON.parse(readFileSync((await download[0].path()) as string, 'utf8'));
    expect(results.format).toBe('attnkit-bench-results');
    expect(results.cells).toHaveLength(rows.length);
    // Two modules over the plain network on onnx-wasm, tfjs-wasm fast and tfjs-webgl fast.
    expect(results.cells.filter((c: { overhead: unknown }) => c.overhead !== null)).toHaveLength(2 * 3);
    expect(errors).toEqual([]);
  });

  it('WebGPU through SwiftShader (correctness, not speed): onnxruntime-web and tfjs give the Node numbers', async () => {
    const config = { ...smallConfig(['onnx-webgpu', 'tfjs-webgpu'], ['eca']), tfjsPredict: 'off', warmup: { minIterations: 1, maxIterations: 1, maxSeconds: 5, stableWithin: 0.5, window: 2 }, measure: { iterations: 1, iterationsPerRound: 1 } };
    const { page, errors } = await openPage({ isolated: true, hash: hashOf(config) });
    const rows = await runBench(page, 'bench-webgpu');
    expect(rows.map((r) => `${r.attention} ${r.backend} ${r.status}`)).toEqual(['none onnx-webgpu ok', 'eca onnx-webgpu ok', 'none tfjs-webgpu fast ok', 'eca tfjs-webgpu fast ok']);
    for (const row of rows) expectLogitsMatch(row.logits, nodeLogits(row.attention === 'none' ? undefined : 'eca', 3));
    expect(errors).toEqual([]);
  });

  it('not isolated: says so and runs single-threaded, with the same numbers', async () => {
    const { page, errors } = await openPage({ isolated: false, hash: hashOf(smallConfig(['onnx-wasm', 'tfjs-wasm'], ['none', 'cbam'])) });
    expect(await page.textContent('#isolation-note')).toContain('single-threaded');
    const rows = await runBench(page, 'bench-not-isolated');
    expect(rows).toHaveLength(2 + 3);
    for (const row of rows) expectLogitsMatch(row.logits, nodeLogits(row.attention === 'none' ? undefined : 'cbam', 3));
    expect(errors).toEqual([]);
  });

  it('shows each bad field of the config with its path', async () => {
    const { page } = await openPage({ isolated: true });
    await page.click('text=Config as JSON');
    const bad = { ...smallConfig(['onnx-wasm', 'tfjs-gpu']), attention: ['none', 'eac'], warmup: { minIterations: 0 } };
    await page.fill('#config-json', JSON.stringify(bad));
    const issues = await page.$$eval('#config-issues li', (items) => items.map((li) => li.textContent));
    expect(issues.some((text) => text?.startsWith('backends[1]: '))).toBe(true);
    expect(issues.some((text) => text?.startsWith("attention[1]: unknown attention; allowed: 'none', 'cbam'"))).toBe(true);
    expect(issues.some((text) => text?.startsWith('warmup.minIterations: '))).toBe(true);
    // The same messages sit at the fields they belong to.
    expect(await page.$$eval('fieldset .field-issue', (nodes) => nodes.map((n) => n.textContent?.split(':')[0]))).toEqual(expect.arrayContaining(['attention[1]', 'backends[1]']));
  });

  it('inserts ECA into a dropped .onnx, runs both, and the downloaded model runs in Node', async () => {
    const { page, errors } = await openPage({ isolated: true });
    await page.setInputFiles('#own-files', resnet18Onnx);
    await page.waitForSelector('body[data-own-model="done"], body[data-own-model="failed"]', { timeout: 120_000 });
    await page.screenshot({ path: `${artifacts}own-model-onnx.png`, fullPage: true });
    expect(await page.getAttribute('body', 'data-own-model')).toBe('done');
    // ResNet-18: 8 basic blocks, one module before each residual Add.
    const points = await page.$$eval('.own-output table', (tables) => tables[1].querySelectorAll('tbody tr').length);
    expect(points).toBe(8);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#own-download')]);
    const bytes = new Uint8Array(readFileSync((await download.path()) as string));
    const model = decodeModel(bytes);
    expect(model.graph.nodes.filter((n) => n.opType.startsWith('ECA')).length).toBe(8);
    // The download runs in onnxruntime-node and gives logits of the original's shape.
    const runner = await createRunner({ runtime: 'onnxruntime-node' });
    const input = randomTensor([1, 3, 64, 64], 0, 'input');
    const logits = [];
    for (const modelBytes of [new Uint8Array(readFileSync(resnet18Onnx)), bytes]) {
      const session = await runner.load(modelBytes);
      const output = await session.run({ [session.inputNames[0]]: { dims: [1, 3, 64, 64], data: input.data } });
      logits.push(output[session.outputNames[0]]);
      await session.dispose();
    }
    expect(logits[1].dims).toEqual(logits[0].dims);
    expect(logits[1].data.every(Number.isFinite)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('inserts ECA into a dropped tfjs model.json + shard and offers the new model, which loads and runs in Node', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const tfl = await import('@tensorflow/tfjs-layers');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const network = createBackbone('resnet18', { width: 8, numClasses: 10 });
    const shape = [1, 3, 32, 32];
    const model = toLayersModel(traceNetwork(network, shape), initializeWeights(traceNetwork(network, shape), 0));
    let savedModel: { modelTopology: unknown; weightSpecs?: unknown[]; weightData?: ArrayBuffer } | undefined;
    await model.save(tf.io.withSaveHandler(async (saved) => {
      savedModel = saved as never;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const manifest = { modelTopology: savedModel!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: savedModel!.weightSpecs }], format: 'layers-model' };
    const { page, errors } = await openPage({ isolated: true });
    await page.setInputFiles('#own-files', [
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manifest)) },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(savedModel!.weightData as ArrayBuffer) },
    ]);
    await page.waitForSelector('body[data-own-model="done"], body[data-own-model="failed"]', { timeout: 120_000 });
    await page.screenshot({ path: `${artifacts}own-model-tfjs.png`, fullPage: true });
    expect(await page.getAttribute('body', 'data-own-model')).toBe('done');
    expect(await page.$$eval('.own-output table', (tables) => tables[1].querySelectorAll('tbody tr').length)).toBe(8);
    const downloads: Array<{ name: string; path: string }> = [];
    page.on('download', async (download) => downloads.push({ name: download.suggestedFilename(), path: (await download.path()) as string }));
    await page.click('text=Download the new model.json and weights');
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    const json = JSON.parse(readFileSync(downloads.find((d) => d.name.endsWith('.json'))!.path, 'utf8'));
    const weights = readFileSync(downloads.find((d) => !d.name.endsWith('.json'))!.path);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }));
    expect(loaded.layers.filter((l) => l.getClassName() === 'attnkit>Attention')).toHaveLength(8);
    const y = loaded.predict(tf.zeros([1, 32, 32, 3])) as import('@tensorflow/tfjs-core').Tensor;
    expect(y.shape).toEqual([1, 10]);
    expect(Array.from(await y.data()).every(Number.isFinite)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('gives the typed error of @attnkit/zoo for a .safetensors that is not one', async () => {
    const { page } = await openPage({ isolated: true });
    await page.setInputFiles('#own-files', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 123]) });
    await page.waitForSelector('body[data-own-model="failed"]', { timeout: 30_000 });
    expect(await page.textContent('.own-output .error')).toMatch(/^INVALID_FILE: /);
  });

  it.each(['onnx-wasm', 'tfjs-wasm'])("classifies a dropped JPEG with torchvision's top-5 and probabilities to 1e-4 for the same weights (%s)", async (backend) => {
    const { page, errors } = await openPage({ isolated: true });
    await page.selectOption('#photo-backbone', 'resnet18');
    await page.fill('#photo-width', '4');
    await page.selectOption('#photo-backend', backend);
    await page.setInputFiles('#photo-weights', `${photoFixtures}${classifyGolden.weights}`);
    await page.setInputFiles('#photo-file', `${photoFixtures}photo.jpg`);
    await page.waitForSelector('body[data-photo="done"], body[data-photo="failed"]', { timeout: 180_000 });
    await page.screenshot({ path: `${artifacts}photo-${backend}.png`, fullPage: true });
    expect(await page.getAttribute('body', 'data-photo'), (await page.textContent('.photo-output')) ?? '').toBe('done');
    const top = JSON.parse((await page.getAttribute('.photo-output', 'data-top')) as string) as typeof classifyGolden.top;
    expect(top.map((c) => [c.index, c.label])).toEqual(classifyGolden.top.map((c) => [c.index, c.label]));
    for (const [i, c] of top.entries()) expect(Math.abs(c.probability - classifyGolden.top[i].probability)).toBeLessThan(1e-4);
    expect(await page.$$eval('table.photo-top tbody tr', (rows) => rows.map((r) => r.children[2].textContent))).toEqual(classifyGolden.top.map((c) => c.label));
    expect(await page.textContent('.photo-preprocessing')).toContain('torchvision: resize 256 bilinear, crop 224');
    // A file that is no picture: the typed error of @attnkit/image, shown with its code.
    await page.setInputFiles('#photo-file', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg') });
    await page.waitForSelector('body[data-photo="failed"]', { timeout: 30_000 });
    expect(await page.textContent('.photo-output .error')).toMatch(/^INVALID_FILE: notes\.jpg /);
    expect(errors).toEqual([]);
  });

  it('shows channel weights per stage, the CBAM map and k at each insertion point', async () => {
    const { page } = await openPage({ isolated: true });
    await page.selectOption('#attention-backbone', 'resnet18');
    await page.selectOption('#attention-module', 'cbam');
    await page.fill('#attention-size', '64');
    await page.click('text=Show the attention');
    await page.waitForSelector('table.kernel-sizes', { timeout: 120_000 });
    expect(await page.$$eval('.stage-charts svg', (svgs) => svgs.length)).toBe(4);
    expect(await page.$$eval('.stage-charts canvas', (canvases) => canvases.length)).toBe(4);
    await page.selectOption('#attention-module', 'eca');
    await page.click('text=Show the attention');
    await page.waitForFunction(() => document.querySelectorAll('.stage-charts canvas').length === 0, undefined, { timeout: 120_000 });
    await page.screenshot({ path: `${artifacts}attention-eca.png`, fullPage: true });
    // ResNet-18 channels 64, 128, 256, 512: adaptive k (gamma 2, b 1) = 3, 5, 5, 5.
    const ks = await page.$$eval('table.kernel-sizes tbody tr', (rows) => rows.map((r) => r.lastElementChild?.textContent));
    expect(ks).toEqual(['3', '3', '5', '5', '5', '5', '5', '5']);
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`is usable at ${viewport.width} px: no sideways scroll, every control labelled, reachable by keyboard`, async () => {
      const { page } = await openPage({ isolated: true, viewport });
      await page.click('text=Config as JSON');
      await page.screenshot({ path: `${artifacts}layout-${viewport.name}.png`, fullPage: true });
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      const unlabelled = await page.$$eval('input, select, textarea, button', (controls) =>
        controls.filter((c) => !((c as HTMLInputElement).labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent?.trim()))).map((c) => c.outerHTML.slice(0, 80)),
      );
      expect(unlabelled).toEqual([]);
      // Tab from the top reaches the run button.
      let reached = false;
      for (let i = 0; i < 200 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.id === 'run-bench');
      }
      expect(reached).toBe(true);
    });
  }
});
