/**
 * @attnkit/image and fetchWeights' Cache API in headless Chromium: the same bytes and values as in
 * Node (and as torchvision, through the committed crops), so "runs in the browser" is measured.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';
import { decodeImage } from '../../src/decode-image.js';
import { preprocessImage, TORCHVISION_PREPROCESSING } from '../../src/preprocess-image.js';

const page = fileURLToPath(new URL('./photo.page.ts', import.meta.url));
const goldenDir = fileURLToPath(new URL('../../../../tools/golden/fixtures/', import.meta.url));

// Launched inside the test, so a missing Chromium fails with the install hint (never skips).
let browser: Promise<BrowserSession> | undefined;
afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

describe('@attnkit/image in Chromium', () => {
  test('decodes, turns and preprocesses as in Node; crops equal torchvision; weights cached in the Cache API', async () => {
    browser ??= createBrowserSession({ staticDirs: { '/fixtures/': goldenDir } });
    const { result, consoleErrors } = await (await browser).run({ entry: page, timeoutMs: 60_000 });
    const jpeg = decodeImage(new Uint8Array(readFileSync(`${goldenDir}photo/photo-orientation-6.jpg`)));
    expect(result.jpeg).toEqual({ width: 240, height: 320, orientation: 6, checksum: jpeg.data.reduce((sum, v) => sum + v, 0) });
    expect(result.torchvisionCropDifference).toBe(0);
    expect(result.bicubicCropDifference).toBe(0);
    expect(result.inputShape).toEqual([1, 3, 224, 224]);
    expect(result.inputSample).toEqual(Array.from(preprocessImage(jpeg, TORCHVISION_PREPROCESSING).data.subarray(0, 16)));
    expect(result.top).toEqual(['great white shark', 'tiger shark']);
    expect(result.weights).toEqual({ firstFromCache: false, secondFromCache: true, length: readFileSync(`${goldenDir}photo/classify-resnet18-w4.safetensors`).length, same: true });
    expect(result.missing).toBe('NOT_FOUND');
    expect(consoleErrors.filter((line: string) => !line.includes('404'))).toEqual([]);
  }, 120_000);
});
