/**
 * The tfjs AttentionLayer in headless Chromium: ECA and CBAM layers in a small tf.model on the
 * cpu, wasm and webgl backends match core's reference interpreter (computed here in Node), and a
 * model saved with the standard browser handlers (indexeddb://, localstorage://) loads back as
 * the same layers with the same weights and identical outputs, also in later pages on the other
 * backends.
 */
import { fileURLToPath } from 'node:url';
import { maxAbsDiff } from '@attnkit/core';
import { afterAll, describe, expect, test } from 'vitest';
import { type BrowserRunResult, type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';
import { stackCase, stackReference } from './attention-stack.js';
import type { LayersPageArgs } from './layers.page.js';

type PageResult = Awaited<ReturnType<(typeof import('./layers.page.js'))['default']>>;
// Typed arrays in PageResult arrive as plain number arrays (JSON).
type PageRun = BrowserRunResult<PageResult>;

const page = fileURLToPath(new URL('./layers.page.ts', import.meta.url));
const stores = (backend: string) => [`indexeddb://attnkit-eca-cbam-${backend}`, `localstorage://attnkit-eca-cbam-${backend}`];
const pageArgs: Record<'cpu' | 'wasm' | 'webgl', LayersPageArgs> = {
  cpu: { backend: 'cpu', saveTo: stores('cpu'), loadFrom: [] },
  // Fresh pages on the other backends load what the cpu page stored.
  wasm: { backend: 'wasm', saveTo: stores('wasm'), loadFrom: stores('cpu') },
  webgl: { backend: 'webgl', saveTo: stores('webgl'), loadFrom: stores('cpu') },
};

// Launched by the first test that needs it, so a missing Chromium fails every test with the
// install hint (a failing beforeAll would leave them merely skipped).
let browser: Promise<BrowserSession> | undefined;
const session = (): Promise<BrowserSession> => {
  browser ??= createBrowserSession();
  return browser;
};
const runs = new Map<string, Promise<PageRun>>();
/** One page per backend (a fresh JS realm each); the wasm and webgl pages run after the cpu page. */
const runPage = (backend: 'cpu' | 'wasm' | 'webgl'): Promise<PageRun> => {
  if (!runs.has(backend)) {
    const before = backend !== 'cpu' ? runPage('cpu').catch(() => undefined) : Promise.resolve();
    runs.set(
      backend,
      before.then(async () => (await session()).run<PageResult>({ entry: page, args: pageArgs[backend], timeoutMs: 40_000 })),
    );
  }
  return runs.get(backend)!;
};

const reference = stackReference();

afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

describe.each(['cpu', 'wasm', 'webgl'] as const)('AttentionLayer on tfjs %s in Chromium', (backend) => {
  test('the backend is active (wasm: SIMD and threads, the page being cross-origin isolated) and nothing logs an error', async () => {
    const { result, consoleErrors, crossOriginIsolated, workers, timings } = await runPage(backend);
    expect(crossOriginIsolated).toBe(true);
    expect(result.activeBackend).toBe(backend);
    expect(result.report).toMatchObject({ backend, version: '4.22.0', simd: backend === 'wasm', threads: backend === 'wasm' });
    // The threaded wasm build runs its pthreads in blob: workers; cpu starts none.
    if (backend === 'wasm') expect(workers.length).toBeGreaterThan(0);
    else expect(workers).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // Information only (never asserted).
    console.info(`tfjs ${backend} page: build ${timings.buildMs.toFixed(0)} ms, load ${timings.loadMs.toFixed(0)} ms, run ${timings.runMs.toFixed(0)} ms, ${workers.length} worker(s)`);
  }, 60_000);

  test('ECA (k = 3, 3 parameters) then CBAM (r = 4, 652 parameters) matches the reference interpreter to 1e-5', async () => {
    const { result } = await runPage(backend);
    expect(result.kernelSizes).toEqual({ eca: 3, cbam: null });
    // CBAM, C = 32, r = 4: MLP 32*8 + 8 + 8*32 + 32 = 552, spatial conv 2*7*7 = 98, BN 2.
    expect(result.parameterCounts).toEqual({ eca: 3, cbam: 652 });
    const [n, c, h, w] = stackCase.inputShape;
    expect(result.y.shape).toEqual([n, h, w, c]);
    expect(result.y.values).toHaveLength(reference.data.length);
    expect(maxAbsDiff(result.y.values, reference.data)).toBeLessThan(1e-5);
  }, 60_000);

  test.each([0, 1])('save and load through the standard browser handler #%i gives the same layers, weights and outputs', async (index) => {
    const { result } = await runPage(backend);
    const url = pageArgs[backend].saveTo[index];
    const loaded = result.saved[url];
    expect(loaded, `nothing was saved to ${url}`).toBeDefined();
    expect(loaded.layerClasses).toEqual(['InputLayer', 'attnkit>Attention', 'attnkit>Attention']);
    expect(loaded.attention).toEqual([
      { name: 'eca', attention: 'eca', kernelSize: 3, parameterCount: 3 },
      { name: 'cbam', attention: { type: 'cbam', reductionRatio: 4 }, kernelSize: null, parameterCount: 652 },
    ]);
    expect(loaded.weightsEqual).toBe(true);
    expect(loaded.outputs).toEqual(result.y.values);
  }, 60_000);
});

test.each(['wasm', 'webgl'] as const)('a later page on %s loads the models the cpu page stored (IndexedDB and localStorage persist) and computes the same function', async (backend) => {
  const cpu = (await runPage('cpu')).result;
  const later = (await runPage(backend)).result;
  expect(later.storedModels).toEqual(expect.arrayContaining([stores('cpu')[0], stores(backend)[0]]));
  for (const url of stores('cpu')) {
    const values = later.loadedFromEarlier[url];
    expect(values, `the ${backend} page did not load ${url}`).toBeDefined();
    expect(maxAbsDiff(values, cpu.y.values)).toBeLessThan(1e-5);
    expect(maxAbsDiff(values, reference.data)).toBeLessThan(1e-5);
  }
}, 60_000);
