/**
 * tfjs's webgl backend in headless Chromium (WebGL 2 through Chromium's software renderer here):
 * every registered module and four zoo networks, `predict` and `compileInference`, against
 * core's reference interpreter run here in Node on the same weights and inputs; tensors counted
 * around 100 predictions.
 */
import { fileURLToPath } from 'node:url';
import { maxAbsDiff, relativeL2, runReference } from '@attnkit/core';
import { afterAll, describe, expect, test } from 'vitest';
import { type BrowserRunResult, type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';
import { caseGraph, caseInput, caseWeights, webglCases } from './networks-webgl.cases.js';

type PageResult = Awaited<ReturnType<(typeof import('./networks-webgl.page.js'))['default']>>;

const page = fileURLToPath(new URL('./networks-webgl.page.ts', import.meta.url));
let browser: Promise<BrowserSession> | undefined;
let run: Promise<BrowserRunResult<PageResult>> | undefined;
const runPage = () => {
  browser ??= createBrowserSession();
  run ??= browser.then((b) => b.run<PageResult>({ entry: page, timeoutMs: 120_000 }));
  return run;
};
afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

describe('tfjs webgl in Chromium', () => {
  test('the webgl backend is active with float32 textures and nothing logs an error', async () => {
    const { result, consoleErrors } = await runPage();
    expect(result.report).toEqual({ backend: 'webgl', simd: false, threads: false, version: '4.22.0' });
    expect(result.gl).toEqual({ float32: true, version: 2 });
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  const cases = webglCases();
  test.each(cases.filter((c) => !c.name.includes(' ')).map((c) => c.name))('%s alone: predict and compileInference match the reference to 1e-5 max abs', async (name) => {
    const { result } = await runPage();
    const c = cases.find((k) => k.name === name)!;
    const graph = caseGraph(c);
    const [reference] = runReference(c.network, caseWeights(graph), caseInput(c));
    for (const path of ['predict', 'fast'] as const) expect(maxAbsDiff(result.outputs[name][path], reference.data), path).toBeLessThan(1e-5);
  }, 180_000);

  test.each(cases.filter((c) => c.name.includes(' ')).map((c) => c.name))('%s: predict and compileInference match the reference to 1e-4 relative L2', async (name) => {
    const { result } = await runPage();
    const c = cases.find((k) => k.name === name)!;
    const graph = caseGraph(c);
    const [reference] = runReference(c.network, caseWeights(graph), caseInput(c));
    expect(reference.shape).toEqual([2, 10]);
    for (const path of ['predict', 'fast'] as const) expect(relativeL2(result.outputs[name][path], reference.data), path).toBeLessThan(1e-4);
  }, 180_000);

  test('100 predictions leave no tensor behind; dispose returns the count to its start', async () => {
    const { memory } = (await runPage()).result;
    expect(memory.withModel).toBeGreaterThan(memory.start);
    expect(memory.after100WithInput).toBe(memory.withModel + 1);
    expect(memory.afterDispose).toBe(memory.start);
  }, 180_000);
});
