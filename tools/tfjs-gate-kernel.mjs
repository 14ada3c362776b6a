#!/usr/bin/env node
/**
 * The tfjs-wasm gate-kernel lever, measured: `relu(x * a + shortcut)` as one kernel registered
 * from JavaScript (on views of the wasm heap) against tfjs's own mul + add + relu, at ResNet-50's
 * block shapes, and what a perfect one-pass kernel could save at most over the network.
 *
 *   node tools/tfjs-gate-kernel.mjs [--runs 60]
 *
 * Medians of `--runs` calls after 5 warm-up calls; no build needed (tfjs from packages/tfjs).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '60' } } });
const runs = Number(args.runs);
const require = createRequire(new URL('../packages/tfjs/package.json', import.meta.url));
const tf = require('@tensorflow/tfjs-core');
const wasm = require('@tensorflow/tfjs-backend-wasm');
wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
await tf.setBackend('wasm');
await tf.ready();

tf.registerKernel({
  kernelName: 'AttnkitGateAddRelu',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x, gate, shortcut } = inputs;
    const out = backend.makeOutput(x.shape, 'float32');
    const [xv, gv, rv, ov] = [x, gate, shortcut, out].map((t) => backend.typedArrayFromHeap(t));
    const channels = gv.length;
    for (let i = 0; i < xv.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const v = xv[i + c] * gv[c] + rv[i + c];
        ov[i + c] = Math.max(v, 0);
      }
    }
    return out;
  },
});

const median = (f) => {
  for (let i = 0; i < 5; i++) f().dispose();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f().dispose();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
};

// ResNet-50's bottleneck outputs at 224: [H = W, C, blocks].
const stages = [[56, 256, 3], [28, 512, 4], [14, 1024, 6], [7, 2048, 3]];
const total = { threePasses: 0, addRelu: 0, onePass: 0, pool: 0 };
console.log('shape                  mul+add+relu  JS kernel  add+relu  relu  avgPool  max |diff|');
for (const [size, channels, blocks] of stages) {
  const x = tf.randomNormal([1, size, size, channels]);
  const shortcut = tf.randomNormal([1, size, size, channels]);
  const gate = tf.randomUniform([1, 1, 1, channels]);
  const threePasses = () => tf.tidy(() => tf.relu(tf.add(tf.mul(x, gate), shortcut)));
  const kernel = () => tf.engine().runKernel('AttnkitGateAddRelu', { x, gate, shortcut });
  const [a, b] = [threePasses(), kernel()];
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  tf.dispose([a, b]);
  const row = {
    threePasses: median(threePasses),
    kernel: median(kernel),
    addRelu: median(() => tf.tidy(() => tf.relu(tf.add(x, shortcut)))),
    onePass: median(() => tf.relu(x)),
    pool: median(() => tf.avgPool(x, [size, size], 1, 'valid')),
  };
  for (const key of Object.keys(total)) total[key] += blocks * row[key];
  const f = (v) => v.toFixed(3).padStart(9);
  console.log(`[1, ${size}, ${size}, ${channels}] x ${blocks}`.padEnd(22), f(row.threePasses), f(row.kernel), f(row.addRelu), f(row.onePass), f(row.pool), diff.toExponential(1));
  tf.dispose([x, shortcut, gate]);
}
const ms = (v) => `${v.toFixed(2)} ms`;
console.log(`ResNet-50, 16 blocks: mul+add+relu ${ms(total.threePasses)}, of which the gate multiply ${ms(total.threePasses - total.addRelu)}; one pass ${ms(total.onePass)}; a perfect fused kernel saves at most ${ms(total.threePasses - total.onePass)}; pooling ${ms(total.pool)}`);
