/**
 * onnxruntime-web in headless Chromium, with 2 WebAssembly threads (the harness serves the page
 * cross-origin isolated) and with 1, through our session runner. Everything the page computes is
 * checked here in Node against an independent value: a hand computation, core's reference
 * interpreter, PyTorch's logits.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { maxAbsDiff, relativeL2 } from '@attnkit/core';
import { afterAll, describe, expect, test } from 'vitest';
import { type BrowserRunResult, type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';
import { buildHandBuiltEcaModel, checksum, ecaCase, ecaInput, ecaReference, emitEcaModel, emitZooModel, zooReference } from './session-cases.js';
import type { SessionPageArgs } from './session.page.js';

type PageResult = Awaited<ReturnType<(typeof import('./session.page.js'))['default']>>;
// Typed arrays in PageResult arrive as plain number arrays (JSON).
type PageRun = BrowserRunResult<PageResult>;

const page = fileURLToPath(new URL('./session.page.ts', import.meta.url));
const goldenDir = fileURLToPath(new URL('../../../../tools/golden/fixtures/', import.meta.url));
const golden = JSON.parse(readFileSync(`${goldenDir}onnx/resnet18_w8.json`, 'utf8')) as { plainLogits: { shape: number[]; data: number[] } };

// Launched by the first test that needs it, so a missing Chromium fails every test with the
// install hint (a failing beforeAll would leave them merely skipped).
let browser: Promise<BrowserSession> | undefined;
const session = (): Promise<BrowserSession> => {
  browser ??= createBrowserSession({ staticDirs: { '/fixtures/': goldenDir } });
  return browser;
};
const runs = new Map<number, Promise<PageRun>>();
/** One page per thread count: onnxruntime-web fixes its thread count when its wasm starts. */
const runPage = (threads: number): Promise<PageRun> => {
  if (!runs.has(threads)) {
    const args: SessionPageArgs = { threads };
    runs.set(threads, session().then((browser) => browser.run<PageResult>({ entry: page, args, timeoutMs: 40_000 })));
  }
  return runs.get(threads)!;
};

afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

describe.each([2, 1])('onnxruntime-web in Chromium, %i thread(s)', (threads) => {
  test('the page is cross-origin isolated and logs no errors', async () => {
    const { crossOriginIsolated, consoleErrors, timings, workers } = await runPage(threads);
    expect(crossOriginIsolated).toBe(true);
    expect(consoleErrors).toEqual([]);
    // Information only (never asserted).
    console.info(`onnxruntime-web ${threads} thread(s) page: build ${timings.buildMs.toFixed(0)} ms, load ${timings.loadMs.toFixed(0)} ms, run ${timings.runMs.toFixed(0)} ms, ${workers.length} worker(s); in the page ${JSON.stringify((await runPage(threads)).result.timings)}`);
  }, 60_000);

  test('info() reports onnxruntime-web 1.30.0 on wasm with SIMD and the threads asked for', async () => {
    const { result, workers } = await runPage(threads);
    expect(result.runner).toEqual({ runtime: 'onnxruntime-web', version: '1.30.0' });
    for (const info of [result.convReluPool.info, result.eca.info, result.emittedEca.info, result.emittedZoo.info, result.network.info]) {
      expect(info).toMatchObject({ runtime: 'onnxruntime-web', version: '1.30.0', executionProviders: ['wasm'], threads, simd: true });
    }
    expect(result.network.info).toMatchObject({ inputNames: ['input'], outputNames: ['logits'] });
    // onnxruntime-web starts numThreads - 1 pthread workers from the served ort-wasm-simd-threaded.mjs;
    // a page that is not cross-origin isolated silently falls back to 1 thread and starts none.
    const ortWorkers = workers.filter((url) => url.includes('/ort/'));
    if (threads > 1) expect(ortWorkers.length).toBeGreaterThanOrEqual(threads - 1);
    else expect(ortWorkers).toEqual([]);
  }, 60_000);

  test('the hand-built conv/relu/Scale-function/pool model gives [40/9, 6] (src/test-models.ts)', async () => {
    const { y } = (await runPage(threads)).result.convReluPool;
    expect(y.dims).toEqual([1, 2, 1, 1]);
    expect(y.data[0]).toBeCloseTo(40 / 9, 6);
    expect(y.data[1]).toBeCloseTo(6, 6);
  }, 60_000);

  test('ECA (C = 256, k = 5) written with the model builders matches the reference interpreter to 1e-5', async () => {
    const { eca } = (await runPage(threads)).result;
    // The page built the same model and input from the same seeds as Node does.
    const local = buildHandBuiltEcaModel();
    expect(eca.kernelSize).toBe(5);
    expect(local.kernelSize).toBe(5);
    expect({ bytes: eca.modelBytes, checksum: eca.modelChecksum }).toEqual({ bytes: local.bytes.length, checksum: checksum(local.bytes) });
    expect(eca.inputChecksum).toBe(checksum(new Uint8Array(ecaInput().data.buffer)));

    const reference = ecaReference();
    expect(eca.y.dims).toEqual([...ecaCase.inputShape]);
    expect(eca.y.data).toHaveLength(reference.data.length);
    expect(maxAbsDiff(eca.y.data, reference.data)).toBeLessThan(1e-5);
    // The gate is not trivially 1 or 0: the output differs from the input.
    expect(maxAbsDiff(eca.y.data, ecaInput().data)).toBeGreaterThan(0.1);
  }, 60_000);

  test('ECA emitted by the package (one ai.attnkit function call) matches the reference interpreter to 1e-5', async () => {
    const { emittedEca } = (await runPage(threads)).result;
    // The page's emitter wrote exactly the bytes Node's does.
    expect(emittedEca.modelChecksum).toBe(checksum(emitEcaModel()));
    expect(emittedEca.info).toMatchObject({ inputNames: ['input'], outputNames: ['output'] });
    expect(emittedEca.y.dims).toEqual([...ecaCase.inputShape]);
    expect(maxAbsDiff(emittedEca.y.data, ecaReference().data)).toBeLessThan(1e-5);
  }, 60_000);

  test('ResNet-18 (width 8) + ECA emitted by the package matches the reference interpreter to 1e-4 relative L2', async () => {
    const { emittedZoo } = (await runPage(threads)).result;
    expect(emittedZoo.modelChecksum).toBe(checksum(emitZooModel()));
    expect(emittedZoo.logits.dims).toEqual([1, 10]);
    expect(relativeL2(emittedZoo.logits.data, zooReference().data)).toBeLessThan(1e-4);
  }, 60_000);

  test('ResNet-18 (width 8) exported by PyTorch gives PyTorch logits to 1e-4 relative L2, also after our codec round trip', async () => {
    const { network } = (await runPage(threads)).result;
    expect(network.logits.dims).toEqual([1, 10]);
    expect(relativeL2(network.logits.data, golden.plainLogits.data)).toBeLessThan(1e-4);
    // decode -> encode in the browser keeps every value: the runtime computes the same numbers.
    expect(network.reencodedLogits.data).toEqual(network.logits.data);
  }, 60_000);
});
