#!/usr/bin/env node
/**
 * A/B of graph rewrites that might make a channel-attention module cheaper on onnxruntime, each
 * checked against the unrewritten graph (max relative error) and timed interleaved with it.
 *
 * Levers (applied to the inlined emission, `inlineFunctions: true`):
 *  - `pool`: pooling through the linear projection. A module's GlobalAveragePool of a 1x1 conv's
 *    output (the block's last conv with its BatchNorm folded: affine per pixel) becomes the conv
 *    applied to the pool of the conv's input, GAP(W x + b) = W GAP(x) + b, where the conv's
 *    input channels are fewer than its output's pixels (C_in < H W: ResNet stages 1-2).
 *  - `fold`: `pool`, and the linear ops that follow on the pooled vector (ECA's Reshape, 1 x k
 *    channel conv, Reshape; SE's first 1x1 conv) folded into that conv's weights, so a module is
 *    GlobalAveragePool -> Conv -> (its nonlinearity) -> ... -> gate.
 *  - `band`: no pooling through; only the linear ops after every module's GlobalAveragePool
 *    folded into one 1x1 Conv on the pooled vector (ECA's Reshape, 1 x k conv, Reshape become
 *    one Conv with a banded C x C weight, which onnxruntime keeps in its NCHWc layout).
 *
 * Prints, per model and module: the added latency of the module over the plain network for each
 * variant (median of paired per-round ratios with a 95% bootstrap interval, and the ratio of
 * medians; of wall time and of process CPU time, which waiting for a core does not inflate), the
 * variant against the unrewritten module, and the max relative output error.
 *
 *   pnpm build
 *   node tools/onnx-eca-levers.mjs [--backbone resnet50] [--modules eca,se] [--levers pool,fold]
 *       [--rounds 40] [--threads 1] [--runtime onnxruntime-node|onnxruntime-web] [--size 224] [--json]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    backbone: { type: 'string', default: 'resnet50' },
    modules: { type: 'string', default: 'eca,se' },
    levers: { type: 'string', default: 'pool,fold' },
    rounds: { type: 'string', default: '40' },
    threads: { type: 'string', default: '1' },
    runtime: { type: 'string', default: 'onnxruntime-node' },
    size: { type: 'string', default: '224' },
    'gate-mul': { type: 'string', default: 'expanded' },
    json: { type: 'boolean', default: false },
  },
});
const root = new URL('../packages/', import.meta.url);
const load = (name) => import(new URL(`${name}/dist/index.js`, root).href);
const core = await load('core');
await Promise.all([load('eca'), load('se'), load('cbam')]);
const { createBackbone } = await load('zoo');
const onnx = await load('onnx');

const shape = [1, 3, Number(args.size), Number(args.size)];
const specs = { eca: 'eca', se: 'se', cbam: 'cbam' };

function emit(attention, gateMul = args['gate-mul']) {
  const network = createBackbone(args.backbone, { attention: attention ?? undefined, numClasses: 1000 });
  const graph = core.traceNetwork(network, shape);
  return onnx.emitModel(graph, core.initializeWeights(graph, 0), { inlineFunctions: true, gateMul }, network.metadata);
}

const attribute = (node, name) => node.attributes?.find((a) => a.name === name);
const ints = (node, name) => attribute(node, name)?.value?.map(Number);

/** The float values of a constant input: an initializer, or a Reshape of one. */
function constantOf(graph, name) {
  const initializer = graph.initializers.find((t) => t.name === name);
  if (initializer) return { dims: initializer.dims.map(Number), data: onnx.tensorToFloat32(initializer) };
  const producer = graph.nodes.find((n) => n.outputs.includes(name));
  if (producer?.opType === 'Reshape') {
    const source = constantOf(graph, producer.inputs[0]);
    return source && { dims: null, data: source.data };
  }
  return undefined;
}

function isPlainPointwiseConv(node) {
  if (node?.opType !== 'Conv') return false;
  const k = ints(node, 'kernel_shape');
  const strides = ints(node, 'strides') ?? [1, 1];
  const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
  const group = Number(attribute(node, 'group')?.value ?? 1);
  return k?.every((v) => v === 1) && strides.every((v) => v === 1) && pads.every((v) => v === 0) && group === 1;
}

/** [rows x cols] row-major matrix product in float64. */
function matmul(a, b, rows, inner, cols) {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inner; i++) {
    const x = a[r * inner + i];
    if (x !== 0) for (let c = 0; c < cols; c++) out[r * cols + c] += x * b[i * cols + c];
  }
  return out;
}

/** Rewrites the model in place; returns how many modules it changed. */
function rewrite(model, lever, attention) {
  const graph = model.graph;
  // inferShapes has no rule for the expanded gate's Shape / Resize; the broadcast emission has
  // the same nodes (and names) up to the gate.
  const shapes = onnx.inferShapes(emit(attention, 'broadcast').graph);
  const producers = onnx.producersOf(graph);
  const consumers = onnx.consumersOf(graph);
  const taken = onnx.namesInGraph(graph);
  let changed = 0;
  for (const pool of [...graph.nodes]) {
    if (pool.opType !== 'GlobalAveragePool') continue;
    let pooledInput;
    let a;
    let rows;
    let b;
    if (lever === 'band') {
      // The identity map of the pooled vector; the pool keeps its input.
      const channels = shapes.get(pool.inputs[0])[1];
      pooledInput = pool.inputs[0];
      a = new Float64Array(channels * channels);
      for (let c = 0; c < channels; c++) a[c * channels + c] = 1;
      rows = channels;
      b = new Float64Array(channels);
    } else {
      const conv = producers.get(pool.inputs[0]);
      if (!isPlainPointwiseConv(conv)) continue;
      const [inChannels, pixels] = [shapes.get(conv.inputs[0])[1], shapes.get(conv.inputs[0])[2] * shapes.get(conv.inputs[0])[3]];
      if (!(inChannels < pixels)) continue;
      const weight = constantOf(graph, conv.inputs[1]);
      const bias = conv.inputs[2] ? constantOf(graph, conv.inputs[2]) : undefined;
      pooledInput = conv.inputs[0];
      // Matrix A [out x in] and bias b of the pooled vector's affine map so far.
      a = Float64Array.from(weight.data);
      rows = weight.dims[0];
      b = bias ? Float64Array.from(bias.data) : new Float64Array(rows);
    }
    let last = pool;
    let folded = 0;
    if (lever === 'fold' || lever === 'band') {
      // Follow linear ops on the pooled vector while each value has one reader.
      for (;;) {
        const readers = consumers.get(last.outputs[0]) ?? [];
        if (readers.length !== 1) break;
        const next = readers[0];
        if (next.opType === 'Reshape') {
          last = next;
          continue;
        }
        if (next.opType !== 'Conv' || next.inputs[0] !== last.outputs[0]) break;
        const w = constantOf(graph, next.inputs[1]);
        if (!w) break;
        const k = ints(next, 'kernel_shape');
        const inShape = shapes.get(next.inputs[0]);
        let m;
        let mRows;
        if (k[0] === 1 && k[1] === 1 && inShape[2] === 1 && inShape[3] === 1 && Number(attribute(next, 'group')?.value ?? 1) === 1) {
          mRows = w.data.length / rows;
          m = Float64Array.from(w.data);
        } else if (k[0] === 1 && inShape[1] === 1 && inShape[2] === 1 && Number(attribute(next, 'group')?.value ?? 1) === 1 && w.data.length === k[1]) {
          // The channel conv over [N, 1, 1, C]: a banded C x C matrix.
          const pads = ints(next, 'pads') ?? [0, 0, 0, 0];
          const channels = inShape[3];
          if (pads[1] !== (k[1] - 1) / 2 || pads[3] !== (k[1] - 1) / 2) break;
          mRows = channels;
          m = new Float64Array(channels * channels);
          for (let c = 0; c < channels; c++) for (let j = 0; j < k[1]; j++) {
            const source = c + j - pads[1];
            if (source >= 0 && source < channels) m[c * channels + source] = w.data[j];
          }
        } else break;
        const nextBias = next.inputs[2] ? constantOf(graph, next.inputs[2]) : undefined;
        const newA = matmul(m, a, mRows, rows, a.length / rows);
        const newB = matmul(m, b, mRows, rows, 1);
        if (nextBias) for (let r = 0; r < mRows; r++) newB[r] += nextBias.data[r];
        a = newA;
        b = newB;
        rows = mRows;
        last = next;
        folded++;
      }
      if (lever === 'band' && folded === 0) continue;
    }
    // GAP(h) -> Conv(A, b) [N, rows, 1, 1] replaces pool ... last.
    const pooledName = onnx.uniqueName(`${pool.outputs[0]}_of_input`, taken);
    taken.add(pooledName);
    const weightName = onnx.uniqueName(`${pool.name}_${lever}_weight`, taken);
    taken.add(weightName);
    const biasName = onnx.uniqueName(`${pool.name}_${lever}_bias`, taken);
    taken.add(biasName);
    const columns = a.length / rows;
    graph.initializers.push(onnx.tensorFromFloat32(weightName, [rows, columns, 1, 1], Float32Array.from(a)), onnx.tensorFromFloat32(biasName, [rows], Float32Array.from(b)));
    const newPool = onnx.createNode('GlobalAveragePool', [pooledInput], [pooledName], { name: `${pool.name}_of_input` });
    // The last op's output name is kept, so its readers are unchanged; a Reshape last maps [N, C, 1, 1] to itself.
    const newConv = onnx.createNode('Conv', [pooledName, weightName, biasName], [last.outputs[0]], { name: `${pool.name}_projection`, attributes: [onnx.attr.ints('kernel_shape', [1, 1])] });
    const removed = new Set([pool]);
    for (let node = pool; node !== last; ) {
      node = consumers.get(node.outputs[0])[0];
      removed.add(node);
    }
    const index = graph.nodes.indexOf(pool);
    graph.nodes = graph.nodes.filter((n) => !removed.has(n));
    graph.nodes.splice(Math.min(index, graph.nodes.length), 0, newPool, newConv);
    changed++;
  }
  graph.nodes = onnx.topologicalSort(graph);
  // Drop initializers nobody reads any more.
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  graph.initializers = graph.initializers.filter((t) => read.has(t.name));
  return changed;
}

const runner = await onnx.createRunner({ runtime: args.runtime, threads: Number(args.threads) });
const modules = args.modules.split(',').filter(Boolean);
const levers = args.levers.split(',').filter(Boolean);
const sessions = new Map();
const models = new Map([['none', emit(null)]]);
const rewritten = {};
for (const m of modules) {
  models.set(m, emit(specs[m]));
  for (const lever of levers) {
    const model = emit(specs[m]);
    rewritten[`${m}+${lever}`] = rewrite(model, lever, specs[m]);
    models.set(`${m}+${lever}`, model);
  }
}
const input = core.randomTensor(shape, 0, 'input');
const outputs = new Map();
for (const [name, model] of models) {
  const session = await runner.load(onnx.encodeModel(model));
  sessions.set(name, session);
  outputs.set(name, (await session.run({ [session.inputNames[0]]: { dims: shape, data: input.data } }))[session.outputNames[0]].data);
}
const maxRelative = (a, b) => {
  const scale = Math.max(...b.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
};

const names = [...sessions.keys()];
const times = Object.fromEntries(names.map((n) => [n, []]));
// Process CPU time per run as well: on a machine shared with other work, waiting for a core
// inflates wall time but not CPU time (one intra-op thread).
const cpu = Object.fromEntries(names.map((n) => [n, []]));
const rounds = Number(args.rounds);
for (let round = -2; round < rounds; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + 2 + j) % names.length];
    const session = sessions.get(name);
    let sum = 0;
    const cpuStart = process.cpuUsage();
    for (let r = 0; r < 2; r++) {
      const t = performance.now();
      await session.run({ [session.inputNames[0]]: { dims: shape, data: input.data } });
      sum += performance.now() - t;
    }
    const used = process.cpuUsage(cpuStart);
    if (round >= 0) {
      times[name].push(sum / 2);
      cpu[name].push((used.user + used.system) / 2000);
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const random = core.createRandom(1, 'bootstrap');
function paired(a, b) {
  const ratios = a.map((t, i) => t / b[i]);
  const resampled = [];
  for (let i = 0; i < 400; i++) resampled.push(median(ratios.map(() => ratios[Math.floor(random.uniform() * ratios.length)])));
  resampled.sort((x, y) => x - y);
  return { ratio: median(ratios), low: resampled[10], high: resampled[389], ofMedians: median(a) / median(b) };
}
const pct = (x) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(2)}%`;
const result = { backbone: args.backbone, runtime: `${args.runtime} ${runner.version}`, threads: Number(args.threads), rounds, loadAverage: loadavg(), variants: {} };
for (const name of names.filter((n) => n !== 'none')) {
  const base = name.split('+')[0];
  const overhead = paired(times[name], times.none);
  const cpuOverhead = paired(cpu[name], cpu.none);
  const versusUnrewritten = name.includes('+') ? paired(times[name], times[base]) : undefined;
  const cpuVersusUnrewritten = name.includes('+') ? paired(cpu[name], cpu[base]) : undefined;
  result.variants[name] = {
    medianMs: median(times[name]),
    cpuMedianMs: median(cpu[name]),
    overhead,
    cpuOverhead,
    ...(versusUnrewritten ? { versusUnrewritten, cpuVersusUnrewritten, modulesRewritten: rewritten[name], maxRelativeError: maxRelative(outputs.get(name), outputs.get(base)) } : {}),
  };
}
if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  console.log(`${result.backbone} ${shape.join('x')}, ${result.runtime}, ${result.threads} thread(s), ${rounds} rounds, load average ${result.loadAverage.map((x) => x.toFixed(1)).join(' ')}; plain median ${median(times.none).toFixed(2)} ms`);
  for (const [name, v] of Object.entries(result.variants)) {
    const o = v.overhead;
    const c = v.cpuOverhead;
    let line = `${name.padEnd(10)} ${v.medianMs.toFixed(2)} ms  added ${pct(o.ratio)} [${pct(o.low)}, ${pct(o.high)}] (ratio of medians ${pct(o.ofMedians)}); CPU time added ${pct(c.ratio)} [${pct(c.low)}, ${pct(c.high)}]`;
    if (v.versusUnrewritten) {
      const u = v.versusUnrewritten;
      const uc = v.cpuVersusUnrewritten;
      line += `\n           vs unrewritten ${pct(u.ratio)} [${pct(u.low)}, ${pct(u.high)}], CPU time ${pct(uc.ratio)} [${pct(uc.low)}, ${pct(uc.high)}]; ${v.modulesRewritten} modules rewritten, max rel error ${v.maxRelativeError.toExponential(1)}`;
    }
    console.log(line);
  }
}
for (const session of sessions.values()) await session.dispose();
