/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): the .pth reader on checkpoints
 * fetched from tools/golden/fixtures/pth/ (served under /fixtures/), with no Node API in reach.
 * Returns what it read; the Node side compares it with the fixtures.
 */
import '@attnkit/eca';
import { runReference } from '@attnkit/core';
import { loadWeights } from '../../src/load-weights.js';
import { createTimmResNet } from '../../src/timm-resnet.js';
import { readPth } from '../../src/weights/read-pth.js';

const fetchBytes = async (name: string) => new Uint8Array(await (await fetch(`/fixtures/${name}`)).arrayBuffer());

export default async function run() {
  const read = (bytes: Uint8Array) => {
    const contents = readPth(bytes);
    return { format: contents.format, tensors: Object.fromEntries([...contents.tensors].map(([name, t]) => [name, { shape: t.shape, data: [...t.data] }])) };
  };
  const zip = read(await fetchBytes('state_dict_zip.pth'));
  const legacy = read(await fetchBytes('state_dict_legacy.pth'));
  let refused: { code?: string; global?: unknown } = {};
  try {
    readPth(await fetchBytes('malicious.pth'));
  } catch (error) {
    const e = error as { code?: string; details?: { global?: unknown } };
    refused = { code: e.code, global: e.details?.global };
  }
  const timm = (await (await fetch('/fixtures/timm_resnet.json')).json()) as {
    input: { shape: number[]; data: number[] };
    goldens: Record<string, { weights: string; width: number; stemWidth: number; numClasses: number }>;
  };
  const golden = timm.goldens.ecaresnet26t;
  const network = createTimmResNet('ecaresnet26t', { width: golden.width, stemWidth: golden.stemWidth, numClasses: golden.numClasses });
  const { weights } = loadWeights(network, await fetchBytes(golden.weights));
  const [logits] = runReference(network, weights, { shape: timm.input.shape, data: Float32Array.from(timm.input.data) });
  return { zip, legacy, refused, logits: [...logits.data] };
}
