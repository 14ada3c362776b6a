#!/usr/bin/env node
/**
 * Where an attention module's time goes in onnxruntime-node: the emitted network with and without
 * the module, run under onnxruntime's own profiler (1 intra-op thread by default), kernel time
 * summed per operator type of the *optimized* graph (after its NCHWc transformer and fusions),
 * per run, side by side with the difference. Built packages are read from dist/.
 *
 *   pnpm build
 *   node tools/onnx-profile.mjs [--backbone resnet50] [--attention '{"type":"eca","kernelSize":[3,5,5,7]}']
 *                               [--size 224] [--runs 30] [--threads 1] [--gate-mul expanded|broadcast] [--json]
 *
 * The profiler adds a little time to every node, so absolute numbers run above the bench's; the
 * per-operator split is what this is for (e.g. which passes over memory ECA adds).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    backbone: { type: 'string', default: 'resnet50' },
    attention: { type: 'string', default: '{"type":"eca","kernelSize":[3,5,5,7]}' },
    size: { type: 'string', default: '224' },
    runs: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    'gate-mul': { type: 'string', default: 'expanded' },
    json: { type: 'boolean', default: false },
  },
});
const root = new URL('../packages/', import.meta.url);
const load = (name) => import(new URL(`${name}/dist/index.js`, root).href);
const core = await load('core');
await Promise.all([load('eca'), load('se'), load('cbam')]);
const { createBackbone } = await load('zoo');
const { emitModel, encodeModel } = await load('onnx');
const requireOnnx = createRequire(new URL('../packages/onnx/package.json', import.meta.url));
const ort = requireOnnx('onnxruntime-node');
const ortVersion = requireOnnx('onnxruntime-node/package.json').version;

const attention = args.attention.trim().startsWith('{') ? JSON.parse(args.attention) : args.attention;
const size = Number(args.size);
const runs = Number(args.runs);
const shape = [1, 3, size, size];
const input = new ort.Tensor('float32', Float32Array.from(core.randomTensor(shape, 1).data), shape);
const dir = mkdtempSync(join(tmpdir(), 'onnx-profile-'));

async function profile(label, options) {
  const network = createBackbone(args.backbone, options);
  const graph = core.traceNetwork(network, shape);
  const bytes = encodeModel(emitModel(graph, core.initializeWeights(graph, 0), { gateMul: args['gate-mul'] }, network.metadata));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: Number(args.threads),
    enableProfiling: true,
    profileFilePrefix: join(dir, label),
    logSeverityLevel: 3,
  });
  const feeds = { [session.inputNames[0]]: input };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  for (let i = 0; i < runs; i++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((name) => name.startsWith(label) && name.endsWith('.json'));
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  // The first 3 runs are warm-up (the profile covers the whole session).
  const runEvents = events.filter((e) => e.name === 'model_run');
  const skipBefore = runEvents.length > runs ? runEvents[runEvents.length - runs].ts : 0;
  const perOp = {};
  let nodes = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < skipBefore) continue;
    perOp[e.args.op_name] = (perOp[e.args.op_name] ?? 0) + e.dur / 1000 / runs;
    nodes++;
  }
  const runMs = runEvents.slice(-runs).map((e) => e.dur / 1000).sort((a, b) => a - b);
  return { perOp, nodesPerRun: nodes / runs, runMedianMs: runMs[Math.floor(runMs.length / 2)] };
}

try {
  const plain = await profile('plain', {});
  const attended = await profile('attended', { attention });
  const ops = [...new Set([...Object.keys(plain.perOp), ...Object.keys(attended.perOp)])];
  const rows = ops
    .map((op) => ({ op, plainMs: plain.perOp[op] ?? 0, withMs: attended.perOp[op] ?? 0 }))
    .map((r) => ({ ...r, addedMs: r.withMs - r.plainMs }))
    .sort((a, b) => b.withMs - a.withMs);
  const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
  const result = {
    backbone: args.backbone,
    attention,
    input: shape,
    threads: Number(args.threads),
    runs,
    runtime: `onnxruntime-node ${ortVersion}`,
    runMedianMs: { plain: plain.runMedianMs, with: attended.runMedianMs },
    kernelMs: { plain: sum('plainMs'), with: sum('withMs') },
    nodesPerRun: { plain: plain.nodesPerRun, with: attended.nodesPerRun },
    perOp: rows,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const f = (v) => v.toFixed(2).padStart(8);
    console.log(`${args.backbone} ${JSON.stringify(attention)} ${shape.join('x')}, ${args.threads} thread(s), ${runs} profiled runs (onnxruntime-node ${ortVersion})`);
    console.log(`run median: plain ${result.runMedianMs.plain.toFixed(1)} ms, with ${result.runMedianMs.with.toFixed(1)} ms; kernel time ${result.kernelMs.plain.toFixed(1)} -> ${result.kernelMs.with.toFixed(1)} ms (${((result.kernelMs.with / result.kernelMs.plain - 1) * 100).toFixed(1)}%); nodes ${plain.nodesPerRun} -> ${attended.nodesPerRun}`);
    console.log(`${'operator'.padEnd(20)}${'plain ms'.padStart(9)}${'with ms'.padStart(9)}${'added'.padStart(9)}`);
    for (const r of rows) console.log(`${r.op.padEnd(20)} ${f(r.plainMs)} ${f(r.withMs)} ${f(r.addedMs)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
