#!/usr/bin/env node
/**
 * model.predict vs compileInference on one zoo network, against the built packages (dist/):
 *
 *   pnpm build
 *   node tools/tfjs-speed.mjs [--backbone resnet50] [--attention none] [--size 224]
 *                             [--backend wasm|cpu] [--iterations 30] [--warmup 3]
 *
 * Prints median and p90 latency of both (ms, batch 1, output read back with data()) and the
 * ratio predict / fast (of the medians, and the median of back-to-back pairs). The two paths
 * alternate call by call so drift hits both alike.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    backbone: { type: 'string', default: 'resnet50' },
    attention: { type: 'string', default: 'none' },
    size: { type: 'string', default: '224' },
    backend: { type: 'string', default: 'wasm' },
    iterations: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
  },
});

const load = (pkg) => import(pathToFileURL(`${root}packages/${pkg}/dist/index.js`).href);
const [core, zoo, tfjs] = await Promise.all([load('core'), load('zoo'), load('tfjs')]);
await Promise.all([load('eca'), load('se'), load('cbam')]);
// The same tfjs-core instance as @attnkit/tfjs's dist (a peer dependency, not bundled).
const tf = await import(pathToFileURL(createRequire(`${root}packages/tfjs/package.json`).resolve('@tensorflow/tfjs-core')).href);

const report = await tfjs.useBackend(args.backend);
const size = Number(args.size);
const attention = args.attention === 'none' ? undefined : args.attention.startsWith('{') ? JSON.parse(args.attention) : args.attention;
const network = zoo.createBackbone(args.backbone, attention === undefined ? {} : { attention });
const graph = core.traceNetwork(network, [1, 3, size, size]);
const model = tfjs.toLayersModel(graph, core.initializeWeights(graph, 0));
const infer = tfjs.compileInference(model);
const x = tf.tidy(() => tf.transpose(tf.tensor4d(core.randomTensor([1, 3, size, size], 0).data, [1, 3, size, size]), [0, 2, 3, 1]));

async function time(run) {
  const start = performance.now();
  const y = run();
  await y.data();
  y.dispose();
  return performance.now() - start;
}
const predict = () => model.predict(x);
const fast = () => infer(x);

const check = tf.tidy(() => {
  const a = predict().dataSync();
  const b = fast().dataSync();
  return core.relativeL2(b, a);
});

for (let i = 0; i < Number(args.warmup); i++) {
  await time(predict);
  await time(fast);
}
const loadBefore = loadavg()[0];
const times = { predict: [], fast: [] };
for (let i = 0; i < Number(args.iterations); i++) {
  times.predict.push(await time(predict));
  times.fast.push(await time(fast));
}
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const summary = (values) => ({ median: Number(quantile(values, 0.5).toFixed(2)), p90: Number(quantile(values, 0.9).toFixed(2)) });
const result = {
  backbone: args.backbone,
  attention: args.attention,
  input: [1, size, size, 3],
  backend: report,
  iterations: Number(args.iterations),
  predictMs: summary(times.predict),
  fastMs: summary(times.fast),
  speedup: Number((quantile(times.predict, 0.5) / quantile(times.fast, 0.5)).toFixed(3)),
  // Median of predict/fast over back-to-back pairs: steadier when the machine's load drifts.
  pairedSpeedup: Number(quantile(times.predict.map((p, i) => p / times.fast[i]), 0.5).toFixed(3)),
  relativeL2: check,
  fused: infer.summary,
  // Other processes on the machine distort both paths alike only on average: read with care.
  loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)) },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
infer.dispose();
model.dispose();
x.dispose();
