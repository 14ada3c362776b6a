#!/usr/bin/env node
/**
 * ResNet-50 at 224, side by side: the model torch.onnx.export wrote vs. the same network with the
 * same weights emitted by @attnkit/onnx, plus ours with ECA (k3557), SE and CBAM, timed
 * interleaved (rotating order each round) so that machine noise hits all alike. Prints medians
 * with p10 / p90, each module's overhead over the plain network (ratio of medians and the median
 * of per-round ratios), process CPU time per run, and (onnxruntime-node) the Reorder nodes of
 * onnxruntime's optimized graph (NCHWc layout changes). DESIGN.md's targets: ours <= 1.02 x
 * torch's; ECA adds <= 1.5 %.
 *
 *   /usr/bin/python3 tools/golden/make_golden.py --resnet50-reference /tmp/r50ref
 *   (cd packages/<core|eca|se|cbam|zoo|onnx> && npx tsup)
 *   node tools/onnx-speed.mjs --dir /tmp/r50ref [--iterations 40] [--threads N]
 *       [--runtime onnxruntime-node|onnxruntime-web] [--modules eca,se,cbam] [--gate-mul expanded|broadcast|both] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../packages/', import.meta.url);
const load = (name) => import(new URL(`${name}/dist/index.js`, root).href);
const core = await load('core');
await load('eca');
await load('se');
await load('cbam');
const { createBackbone, loadStateDict, readSafetensors } = await load('zoo');
const { createRunner, decodeModel, emitModel, encodeModel } = await load('onnx');

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/r50ref' },
    iterations: { type: 'string', default: '40' },
    threads: { type: 'string' },
    runtime: { type: 'string', default: 'onnxruntime-node' },
    modules: { type: 'string', default: 'eca,se,cbam' },
    'gate-mul': { type: 'string', default: 'expanded' },
    json: { type: 'boolean', default: false },
  },
});
const iterations = Number(args.iterations);
const log = (line) => {
  if (!args.json) process.stdout.write(`${line}\n`);
};

const torchBytes = new Uint8Array(readFileSync(join(args.dir, 'resnet50_torch.onnx')));
const stateDict = readSafetensors(new Uint8Array(readFileSync(join(args.dir, 'resnet50_torch.safetensors')))).tensors;
const shape = [1, 3, 224, 224];

const specs = { eca: { type: 'eca', kernelSize: [3, 5, 5, 7] }, se: 'se', cbam: 'cbam' };
const modules = args.modules.split(',').filter(Boolean);
for (const m of modules) if (!(m in specs)) throw new Error(`--modules: unknown '${m}' (eca, se, cbam)`);
const gateMuls = args['gate-mul'] === 'both' ? ['expanded', 'broadcast'] : [args['gate-mul']];

function emit(attention, gateMul = 'expanded') {
  const network = createBackbone('resnet50', { attention, numClasses: 1000 });
  const graph = core.traceNetwork(network, shape);
  // torchvision's weights by name; the ECA weights (not in the file) seeded.
  const seeded = core.initializeWeights(graph, 0);
  const declared = graph.params.filter((p) => stateDict.has(p.name)).map((p) => ({ ...p.spec, name: p.name }));
  const { tensors } = loadStateDict(declared, stateDict, { strict: false });
  for (const [name, value] of tensors) seeded.set(name, value);
  return encodeModel(emitModel(graph, seeded, { weightSource: 'resnet50_torch.safetensors', gateMul }, network.metadata));
}

// The Reorder nodes in onnxruntime-node's optimized graph (its NCHWc transformer, x86 only).
const reorderCounts = {};
async function countReorders(name, bytes) {
  if (args.runtime !== 'onnxruntime-node') return;
  const ort = createRequire(new URL('../packages/onnx/package.json', import.meta.url))('onnxruntime-node');
  const dir = mkdtempSync(join(tmpdir(), 'onnx-speed-'));
  try {
    const path = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
    await session.release();
    const nodes = decodeModel(new Uint8Array(readFileSync(path))).graph.nodes;
    reorderCounts[name] = { reorderOutput: nodes.filter((n) => n.opType === 'ReorderOutput').length, reorderInput: nodes.filter((n) => n.opType === 'ReorderInput').length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runner = await createRunner({ runtime: args.runtime, ...(args.threads ? { threads: Number(args.threads) } : {}) });
const models = { torch: await runner.load(torchBytes) };
const plainBytes = emit(null);
models.attnkit = await runner.load(plainBytes);
await countReorders('attnkit', plainBytes);
for (const m of modules) {
  for (const gateMul of gateMuls) {
    const name = gateMuls.length > 1 ? `attnkit+${m}/${gateMul}` : `attnkit+${m}`;
    const bytes = emit(specs[m], gateMul);
    models[name] = await runner.load(bytes);
    await countReorders(name, bytes);
  }
}
const input = core.randomTensor(shape, 0);
const feeds = { dims: shape, data: input.data };
const outputs = {};
for (const [name, session] of Object.entries(models)) {
  const result = await session.run({ [session.inputNames[0]]: feeds });
  outputs[name] = result[session.outputNames[0]].data;
}
const agreement = core.relativeL2(outputs.attnkit, outputs.torch);
log(`outputs: attnkit vs torch relative L2 ${agreement.toExponential(2)} (max abs ${core.maxAbsDiff(outputs.attnkit, outputs.torch).toExponential(2)})`);
if (!(agreement < 1e-4)) throw new Error(`the emitted model does not compute torch's function (relative L2 ${agreement})`);

// Warm up, then interleave: each round runs every model once, in a rotating order.
const names = Object.keys(models);
const times = Object.fromEntries(names.map((n) => [n, []]));
const cpu = Object.fromEntries(names.map((n) => [n, []]));
for (let round = -3; round < iterations; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + 3 + j) % names.length];
    const session = models[name];
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await session.run({ [session.inputNames[0]]: feeds });
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    if (round >= 0) {
      times[name].push(elapsed);
      cpu[name].push((used.user + used.system) / 1000);
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const medians = Object.fromEntries(names.map((n) => [n, median(times[n])]));
const attentionNames = names.filter((n) => n.startsWith('attnkit+'));
const overhead = (n) => ({
  ofMedians: Number((medians[n] / medians.attnkit - 1).toFixed(4)),
  pairedMedian: Number((median(times[n].map((t, i) => t / times.attnkit[i])) - 1).toFixed(4)),
  cpuPairedMedian: Number((median(cpu[n].map((t, i) => t / cpu.attnkit[i])) - 1).toFixed(4)),
});
const result = {
  runtime: `${args.runtime} ${runner.version}`,
  threads: models.torch.info().threads,
  iterations,
  medianMs: Object.fromEntries(names.map((n) => [n, Number(medians[n].toFixed(3))])),
  p10Ms: Object.fromEntries(names.map((n) => [n, Number(quantile(times[n], 0.1).toFixed(3))])),
  p90Ms: Object.fromEntries(names.map((n) => [n, Number(quantile(times[n], 0.9).toFixed(3))])),
  cpuMedianMs: Object.fromEntries(names.map((n) => [n, Number(median(cpu[n]).toFixed(3))])),
  ratioToTorch: Number((medians.attnkit / medians.torch).toFixed(4)),
  overhead: Object.fromEntries(attentionNames.map((n) => [n, overhead(n)])),
  reorders: reorderCounts,
  loadAverage: (await import('node:os')).loadavg(),
  outputRelativeL2: agreement,
};
for (const session of Object.values(models)) await session.dispose();
if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const pct = (x) => `${(x * 100).toFixed(2)} %`;
  log(`${result.runtime}, ${result.threads} thread(s), ${iterations} interleaved rounds, load average ${result.loadAverage.map((x) => x.toFixed(2)).join(' ')}`);
  for (const n of names) {
    const r = reorderCounts[n] ? `  reorders out/in ${reorderCounts[n].reorderOutput}/${reorderCounts[n].reorderInput}` : '';
    log(`${n.padEnd(24)} median ${medians[n].toFixed(2)} ms (p10 ${result.p10Ms[n].toFixed(2)}, p90 ${result.p90Ms[n].toFixed(2)}), cpu ${result.cpuMedianMs[n].toFixed(2)} ms${r}`);
  }
  log(`attnkit / torch = ${result.ratioToTorch} (target <= 1.02)`);
  for (const n of attentionNames) {
    const o = result.overhead[n];
    log(`${n.padEnd(24)} overhead ${pct(o.ofMedians)} (median of per-round ratios ${pct(o.pairedMedian)}, cpu ${pct(o.cpuPairedMedian)})${n.startsWith('attnkit+eca') ? ' (target <= 1.5 %)' : ''}`);
  }
}
