#!/usr/bin/env node
/**
 * ECA's channel conv on onnxruntime, the two emitted forms timed against each other and against
 * the plain network and SE (after `pnpm build`; seeded weights, no PyTorch):
 *
 *   node tools/onnx-channel-conv.mjs [--backbone mobilenet_v2|resnet50] [--rounds 60]
 *                                    [--threads 1] [--runtime onnxruntime-node|onnxruntime-web]
 *
 * Variants: none, se, eca (`channelConv: 'conv'`, the 1 x k Conv) and eca-banded
 * (`channelConv: 'banded'`). Every round runs each variant once, in an order that rotates from
 * round to round; ratios are paired within a round and summarized by their median with a
 * distribution-free 95% interval (order statistics of the binomial).
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    backbone: { type: 'string', default: 'mobilenet_v2' },
    rounds: { type: 'string', default: '60' },
    threads: { type: 'string', default: '1' },
    runtime: { type: 'string', default: 'onnxruntime-node' },
  },
});
const root = new URL('..', import.meta.url);
const load = (pkg) => import(new URL(`packages/${pkg}/dist/index.js`, root).href);
const [core, zoo, onnx] = await Promise.all([load('core'), load('zoo'), load('onnx')]);
await Promise.all([load('eca'), load('se')]);
const ort = createRequire(new URL('packages/onnx/package.json', root))(args.runtime);
const rounds = Number(args.rounds);

const variants = [
  ['none', undefined, {}],
  ['se', 'se', {}],
  ['eca', 'eca', { channelConv: 'conv' }],
  ['eca-banded', 'eca', { channelConv: 'banded' }],
];
const sessions = new Map();
for (const [name, attention, options] of variants) {
  const network = zoo.createBackbone(args.backbone, attention === undefined ? {} : { attention });
  const graph = core.traceNetwork(network, [1, 3, 224, 224]);
  const bytes = onnx.encodeModel(onnx.emitModel(graph, core.initializeWeights(graph, 1), options, network.metadata));
  const sessionOptions = { intraOpNumThreads: Number(args.threads), interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  sessions.set(name, await ort.InferenceSession.create(bytes, args.runtime === 'onnxruntime-web' ? { ...sessionOptions, executionProviders: ['wasm'] } : sessionOptions));
}
const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]);
const names = [...sessions.keys()];
const times = new Map(names.map((n) => [n, []]));
const loadBefore = loadavg()[0];
for (let round = -3; round < rounds; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round + 3) % names.length];
    const session = sessions.get(name);
    const start = performance.now();
    await session.run({ [session.inputNames[0]]: input });
    if (round >= 0) times.get(name).push(performance.now() - start);
  }
}
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => {
  const s = sorted(values);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const paired = (a, b) => {
  const ratios = sorted(times.get(a).map((t, i) => t / times.get(b)[i] - 1));
  const n = ratios.length;
  const half = Math.ceil((1.96 * Math.sqrt(n)) / 2);
  const pct = (v) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}`;
  return `${pct(median(ratios))}% [${pct(ratios[Math.max(0, Math.floor(n / 2) - half)])}, ${pct(ratios[Math.min(n - 1, Math.ceil(n / 2) + half - 1)])}]`;
};
console.log(`${args.backbone}, ${args.runtime}, ${args.threads} thread(s), ${rounds} rounds, load average ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
console.log(`medians (ms): ${names.map((n) => `${n} ${median(times.get(n)).toFixed(2)}`).join(', ')}`);
console.log(`over none: eca ${paired('eca', 'none')}, eca-banded ${paired('eca-banded', 'none')}, se ${paired('se', 'none')}`);
console.log(`eca-banded vs eca ${paired('eca-banded', 'eca')}; eca vs se ${paired('eca', 'se')}; eca-banded vs se ${paired('eca-banded', 'se')}`);
