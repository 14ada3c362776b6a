/**
 * onnxruntime-web's WebGL backend in headless Chromium (WebGL 2 through the software renderer
 * Chromium ships, SwiftShader, here). What is asserted: which emitted form loads, the error that
 * says how to emit for WebGL, output shapes and the execution provider. What is not: values.
 * On this software GL, onnxruntime-web's WebGL backend returns wrong numbers for PyTorch's own
 * export of ResNet-18 too (relative L2 0.5-0.8 against PyTorch's logits, varying from run to
 * run; tfjs's webgl backend on the same GL is exact to ~1e-7), so a wrong value here says
 * nothing about our models; the test prints the values it saw.
 */
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@attnkit/core';
import { afterAll, expect, test } from 'vitest';
import { type BrowserRunResult, type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';

type PageResult = Awaited<ReturnType<(typeof import('./webgl.page.js'))['default']>>;

const page = fileURLToPath(new URL('./webgl.page.ts', import.meta.url));
const goldenDir = fileURLToPath(new URL('../../../../tools/golden/fixtures/', import.meta.url));

let browser: Promise<BrowserSession> | undefined;
let run: Promise<BrowserRunResult<PageResult>> | undefined;
const runPage = () => {
  browser ??= createBrowserSession({ staticDirs: { '/fixtures/': goldenDir } });
  run ??= browser.then((b) => b.run<PageResult>({ entry: page, timeoutMs: 60_000 }));
  return run;
};

afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

test('the default emission does not load on WebGL, and the error says how to emit for it', async () => {
  const { result } = await runPage();
  expect(result.renderer, 'WebGL 2 in headless Chromium').toEqual(expect.any(String));
  expect(result.byDefault.loaded).toBe(false);
  if (result.byDefault.loaded) return;
  expect(result.byDefault.code).toBe(ErrorCodes.INVALID_FILE);
  expect(result.byDefault.message).toMatch(/could not load the model: cannot resolve operator 'ECA_k3'/);
  expect(result.byDefault.message).toMatch(/emit with \{ inlineFunctions: true, gateMul: 'broadcast' \} \(CLI: attnkit export --inline-functions --gate-mul broadcast\)/);
}, 90_000);

test('inlined functions with the broadcast gate load and run on WebGL (values printed, not asserted)', async () => {
  const { result } = await runPage();
  expect(result.portable.loaded).toBe(true);
  if (!result.portable.loaded) return;
  expect(result.portable.dims).toEqual([1, 64, 8, 8]);
  expect(result.portable.info).toMatchObject({ runtime: 'onnxruntime-web', version: '1.30.0', executionProviders: ['webgl'] });
  expect(result.torchExport.dims).toEqual([1, 10]);
  console.info(
    `WebGL on ${result.renderer}: ECA relative L2 ${result.portable.relativeL2.toExponential(2)} against the reference; PyTorch's ResNet-18 export ${result.torchExport.relativeL2.toExponential(2)} against PyTorch's logits`,
  );
}, 90_000);
