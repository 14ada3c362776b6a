/**
 * The .pth reader in headless Chromium: the same checkpoints as in Node, fetched over HTTP from
 * the test's local server (no Node API in the page), give the same tensors; the malicious one is
 * refused by name; a timm network loaded from its .pth gives PyTorch's logits.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relativeL2 } from '@attnkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type BrowserSession, createBrowserSession } from '../../../../tools/browser/run-in-browser.mjs';

type PageResult = Awaited<ReturnType<(typeof import('./read-pth.page.js'))['default']>>;

const page = fileURLToPath(new URL('./read-pth.page.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../../tools/golden/fixtures/pth/', import.meta.url));
const expected = JSON.parse(readFileSync(`${fixtures}state_dict.json`, 'utf8')) as { tensors: Record<string, { shape: number[]; data: number[] }> };
const timm = JSON.parse(readFileSync(`${fixtures}timm_resnet.json`, 'utf8')) as { goldens: Record<string, { logits: { data: number[] } }> };

let browser: Promise<BrowserSession> | undefined;
let result: Promise<PageResult> | undefined;
const pageResult = (): Promise<PageResult> => {
  browser ??= createBrowserSession({ staticDirs: { '/fixtures/': fixtures } });
  result ??= browser.then((session) => session.run<PageResult>({ entry: page, args: {}, timeoutMs: 60_000 })).then((run) => run.result);
  return result;
};
afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
});

describe('readPth in Chromium', () => {
  it.each(['zip', 'legacy'] as const)('the %s checkpoint gives exactly the values torch.load gives', async (format) => {
    const read = (await pageResult())[format];
    expect(read.format).toBe(format);
    for (const [name, want] of Object.entries(expected.tensors)) {
      expect(read.tensors[name].shape, name).toEqual(want.shape);
      expect(read.tensors[name].data, name).toEqual([...Float32Array.from(want.data)]);
    }
  }, 120_000);

  it('refuses the os.system global by name', async () => {
    expect((await pageResult()).refused).toEqual({ code: 'INVALID_FILE', global: 'posix.system' });
  }, 120_000);

  it('ecaresnet26t from its .pth matches PyTorch to 1e-4 relative L2', async () => {
    expect(relativeL2(Float32Array.from((await pageResult()).logits), timm.goldens.ecaresnet26t.logits.data)).toBeLessThan(1e-4);
  }, 120_000);
});
