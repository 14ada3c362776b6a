#!/usr/bin/env node
/**
 * tfjs inference speed of zoo networks, against the built packages (dist/):
 *
 *   pnpm build
 *   node tools/tfjs-speed.mjs [--backbones resnet50,mobilenet_v2] [--attentions eca,se,cbam]
 *                             [--size 224] [--backend wasm|cpu] [--rounds 30] [--warmup 3]
 *                             [--json]
 *
 * Per backbone (batch 1, NHWC input, output read back with data()):
 *   - the plain network: model.predict vs compileInference ("fast"), speedup predict / fast;
 *   - compileInference of the plain network vs the same network with each attention module:
 *     overhead = (with / plain) - 1.
 * Every variant runs once per round, in an order that rotates from round to round, so drift in
 * the machine's load hits all alike. Ratios are taken within a round (paired) and summarized by
 * their median with a distribution-free 95% confidence interval (order statistics of the
 * binomial); latencies by median and interquartile range. The 1-minute load average is printed
 * before and after: on a loaded machine, read the intervals, not just the medians.
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    backbones: { type: 'string', default: 'resnet50,mobilenet_v2' },
    attentions: { type: 'string', default: 'eca,se,cbam' },
    size: { type: 'string', default: '224' },
    backend: { type: 'string', default: 'wasm' },
    rounds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});

const load = (pkg) => import(pathToFileURL(`${root}packages/${pkg}/dist/index.js`).href);
const [core, zoo, tfjs] = await Promise.all([load('core'), load('zoo'), load('tfjs')]);
await Promise.all([load('eca'), load('se'), load('cbam')]);
// The same tfjs-core instance as @attnkit/tfjs's dist (a peer dependency, not bundled).
const tf = await import(pathToFileURL(createRequire(`${root}packages/tfjs/package.json`).resolve('@tensorflow/tfjs-core')).href);

const report = await tfjs.useBackend(args.backend);
const size = Number(args.size);
const rounds = Number(args.rounds);
const attentions = args.attentions.split(',').filter((a) => a !== '' && a !== 'none');

const sorted = (values) => [...values].sort((a, b) => a - b);
const quantile = (values, q) => {
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
/** Median with a distribution-free 95% CI: order statistics j..k of the sorted sample. */
function medianCi(values) {
  const s = sorted(values);
  const n = s.length;
  const half = Math.ceil(1.96 * Math.sqrt(n) / 2);
  const lo = Math.max(0, Math.floor(n / 2) - half);
  const hi = Math.min(n - 1, Math.ceil(n / 2) + half - 1);
  return { median: quantile(s, 0.5), ci95: [s[lo], s[hi]] };
}
const round3 = (v) => Number(v.toFixed(3));
const latency = (values) => ({ median: Number(quantile(values, 0.5).toFixed(1)), iqr: [Number(quantile(values, 0.25).toFixed(1)), Number(quantile(values, 0.75).toFixed(1))] });

async function time(run, x) {
  const start = performance.now();
  const y = run(x);
  await y.data();
  y.dispose();
  return performance.now() - start;
}

function build(backbone, attention) {
  const network = zoo.createBackbone(backbone, attention === undefined ? {} : { attention });
  const graph = core.traceNetwork(network, [1, 3, size, size]);
  const model = tfjs.toLayersModel(graph, core.initializeWeights(graph, 0));
  return { model, infer: tfjs.compileInference(model) };
}

const results = [];
for (const backbone of args.backbones.split(',')) {
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(core.randomTensor([1, 3, size, size], 0).data, [1, 3, size, size]), [0, 2, 3, 1]));
  const plain = build(backbone);
  const variants = [
    { name: 'predict', run: (input) => plain.model.predict(input) },
    { name: 'fast', run: (input) => plain.infer(input) },
  ];
  const built = [plain];
  const checks = {
    fastVsPredict: tf.tidy(() => core.relativeL2(plain.infer(x).dataSync(), plain.model.predict(x).dataSync())),
  };
  for (const attention of attentions) {
    const b = build(backbone, attention);
    built.push(b);
    variants.push({ name: `fast+${attention}`, run: (input) => b.infer(input) });
    checks[`fast+${attention}VsPredict`] = tf.tidy(() => core.relativeL2(b.infer(x).dataSync(), b.model.predict(x).dataSync()));
  }
  for (let i = 0; i < Number(args.warmup); i++) for (const v of variants) await time(v.run, x);
  const loadBefore = loadavg();
  const times = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length];
      times[v.name].push(await time(v.run, x));
    }
  }
  const loadAfter = loadavg();
  const paired = (a, b) => medianCi(times[a].map((t, i) => t / times[b][i]));
  const speedup = paired('predict', 'fast');
  const result = {
    backbone,
    input: [1, size, size, 3],
    rounds,
    latencyMs: Object.fromEntries(variants.map((v) => [v.name, latency(times[v.name])])),
    speedup: { predictOverFast: round3(speedup.median), ci95: speedup.ci95.map(round3), ofMedians: round3(quantile(times.predict, 0.5) / quantile(times.fast, 0.5)) },
    overheadVsFastPlain: Object.fromEntries(
      attentions.map((a) => {
        const o = paired(`fast+${a}`, 'fast');
        return [a, { median: round3(o.median - 1), ci95: o.ci95.map((v) => round3(v - 1)) }];
      }),
    ),
    relativeL2: checks,
    loadAverage: { before: loadBefore.map((v) => Number(v.toFixed(2))), after: loadAfter.map((v) => Number(v.toFixed(2))), cores: cpus().length },
  };
  results.push(result);
  for (const b of built) {
    b.infer.dispose();
    b.model.dispose();
  }
  x.dispose();
}

if (args.json) {
  process.stdout.write(`${JSON.stringify({ backend: report, results }, null, 2)}\n`);
} else {
  const pct = (v) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
  console.log(`tfjs ${report.version} ${report.backend} (simd ${report.simd}, threads ${report.threads}), batch 1, ${size}x${size}, ${rounds} interleaved rounds`);
  for (const r of results) {
    const l = r.latencyMs;
    console.log(`\n${r.backbone}  (load average ${r.loadAverage.before.join(' ')} -> ${r.loadAverage.after.join(' ')} on ${r.loadAverage.cores} cores)`);
    for (const [name, v] of Object.entries(l)) console.log(`  ${name.padEnd(12)} ${v.median.toFixed(1).padStart(8)} ms  (IQR ${v.iqr[0]}-${v.iqr[1]})`);
    console.log(`  predict / fast: ${r.speedup.predictOverFast.toFixed(3)}x paired median (95% CI ${r.speedup.ci95.join('-')}), ${r.speedup.ofMedians.toFixed(3)}x of medians`);
    for (const [a, o] of Object.entries(r.overheadVsFastPlain)) console.log(`  ${a.padEnd(5)} over fast plain: ${pct(o.median)} (95% CI ${pct(o.ci95[0])}..${pct(o.ci95[1])})`);
    console.log(`  relative L2 fast vs predict: ${Object.entries(r.relativeL2).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  }
}
