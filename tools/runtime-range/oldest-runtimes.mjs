#!/usr/bin/env node
/**
 * The lower ends of the runtime peer ranges, tested: for onnxruntime (@attnkit/onnx) and
 * TensorFlow.js (@attnkit/tfjs), installs the oldest release their peerDependencies allow into a
 * temp folder and runs that package's Node tests against it (vitest.shared.ts aliases the
 * runtime imports to that install through ATTNKIT_RUNTIMES_DIR; the tests that check the
 * runtime's reported version read ATTNKIT_ONNXRUNTIME_VERSION / ATTNKIT_TFJS_VERSION). The
 * workspace's own pins (the upper ends) run in `pnpm test`. A step of .ci/run; needs the npm
 * registry. The browser tests bundle the workspace's runtimes, so they are not part of this.
 *
 * Usage: node tools/runtime-range/oldest-runtimes.mjs [onnx] [tfjs] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');

const FAMILIES = {
  onnx: {
    project: '@attnkit/onnx',
    runtimes: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common'],
    versionVariable: 'ATTNKIT_ONNXRUNTIME_VERSION',
  },
  tfjs: {
    project: '@attnkit/tfjs',
    runtimes: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
    versionVariable: 'ATTNKIT_TFJS_VERSION',
  },
};

/** `^1.21.0` / `>=1.21.0` -> `1.21.0`: the oldest release the range admits. */
function lowest(range) {
  const found = /^(?:\^|>=)?(\d+\.\d+\.\d+)/.exec(range ?? '');
  if (!found) throw new Error(`cannot read the lower bound of peer range ${JSON.stringify(range)}`);
  return found[1];
}

const chosen = Object.keys(FAMILIES).filter((name) => args.includes(name));
const failed = [];
for (const name of chosen.length > 0 ? chosen : Object.keys(FAMILIES)) {
  const { project, runtimes, versionVariable } = FAMILIES[name];
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  const versions = new Set(runtimes.map((runtime) => lowest(manifest.peerDependencies[runtime])));
  if (versions.size !== 1) throw new Error(`${project}: the peer ranges of ${runtimes.join(', ')} start at different versions (${[...versions].join(', ')}); keep them together`);
  const [version] = versions;
  const dir = mkdtempSync(join(tmpdir(), `attnkit-${name}-runtimes-${version}-`));
  try {
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    // --ignore-scripts: onnxruntime-node's install script only downloads CUDA binaries (network);
    // the CPU binaries are in the package.
    const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...runtimes.map((runtime) => `${runtime}@${version}`)], { cwd: dir, stdio: 'inherit' });
    if (install.status !== 0) throw new Error(`npm install of ${runtimes.join(', ')} ${version} failed`);
    console.log(`${runtimes.join(', ')} ${version} installed; running ${project}'s Node tests against them`);
    // A longer default timeout: older runtimes and a busy CI machine are slower (no test asserts time).
    const tests = spawnSync('pnpm', ['exec', 'vitest', 'run', '--project', project, '--exclude', '**/test/browser/**', '--testTimeout', '60000'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ATTNKIT_RUNTIMES_DIR: dir, [versionVariable]: version },
    });
    if (tests.status === 0) console.log(`${project} passes on ${version}, the lower end of its peer ranges`);
    else failed.push(`${project} on ${version}`);
  } finally {
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
if (failed.length > 0) {
  console.error(`oldest-runtimes: failed: ${failed.join('; ')}`);
  process.exit(1);
}
