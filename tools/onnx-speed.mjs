#!/usr/bin/env node
/**
 * ResNet-50 at 224 in onnxruntime-node, side by side: the model torch.onnx.export wrote vs. the
 * same network with the same weights emitted by @attnkit/onnx, plus ours with ECA (k3557), timed
 * interleaved so that machine noise hits all three alike. DESIGN.md's targets: ours <= 1.02 x
 * torch's; ECA adds <= 1.5 %.
 *
 *   /usr/bin/python3 tools/golden/make_golden.py --resnet50-reference /tmp/r50ref
 *   pnpm --filter @attnkit/core --filter @attnkit/eca --filter @attnkit/zoo --filter @attnkit/onnx build
 *   node tools/onnx-speed.mjs --dir /tmp/r50ref [--iterations 40] [--threads N] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../packages/', import.meta.url);
const load = (name) => import(new URL(`${name}/dist/index.js`, root).href);
const core = await load('core');
await load('eca');
const { createBackbone, loadStateDict, readSafetensors } = await load('zoo');
const { createRunner, emitModel, encodeModel } = await load('onnx');

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/r50ref' },
    iterations: { type: 'string', default: '40' },
    threads: { type: 'string' },
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

function emit(attention) {
  const network = createBackbone('resnet50', { attention, numClasses: 1000 });
  const graph = core.traceNetwork(network, shape);
  // torchvision's weights by name; the ECA weights (not in the file) seeded.
  const seeded = core.initializeWeights(graph, 0);
  const declared = graph.params.filter((p) => stateDict.has(p.name)).map((p) => ({ ...p.spec, name: p.name }));
  const { tensors } = loadStateDict(declared, stateDict, { strict: false });
  for (const [name, value] of tensors) seeded.set(name, value);
  return encodeModel(emitModel(graph, seeded, { weightSource: 'resnet50_torch.safetensors' }, network.metadata));
}

const runner = await createRunner({ runtime: 'onnxruntime-node', ...(args.threads ? { threads: Number(args.threads) } : {}) });
const models = {
  torch: await runner.load(torchBytes),
  attnkit: await runner.load(emit(null)),
  'attnkit+eca': await runner.load(emit({ type: 'eca', kernelSize: [3, 5, 5, 7] })),
};
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
for (let round = -3; round < iterations; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + 3 + j) % names.length];
    const session = models[name];
    const start = performance.now();
    await session.run({ [session.inputNames[0]]: feeds });
    if (round >= 0) times[name].push(performance.now() - start);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const medians = Object.fromEntries(names.map((n) => [n, median(times[n])]));
const result = {
  runtime: `onnxruntime-node ${runner.version}`,
  threads: models.torch.info().threads,
  iterations,
  medianMs: Object.fromEntries(names.map((n) => [n, Number(medians[n].toFixed(3))])),
  ratioToTorch: Number((medians.attnkit / medians.torch).toFixed(4)),
  ecaOverhead: Number((medians['attnkit+eca'] / medians.attnkit - 1).toFixed(4)),
  outputRelativeL2: agreement,
};
for (const session of Object.values(models)) await session.dispose();
if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  for (const n of names) log(`${n.padEnd(12)} median ${medians[n].toFixed(2)} ms over ${iterations} runs`);
  log(`attnkit / torch = ${result.ratioToTorch} (target <= 1.02); ECA overhead ${(result.ecaOverhead * 100).toFixed(2)} % (target <= 1.5 %)`);
}
