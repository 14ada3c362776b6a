#!/usr/bin/env node
/**
 * The packages as a user meets them: packs every public package and the CLI (`pnpm pack`, so
 * `workspace:` ranges become versions), then for each package README, in a fresh npm project
 * outside the workspace, installs exactly what its install line names (attnkit packages from the
 * tarballs, everything else from the registry at the version the workspace pins) and
 *   - type-checks its example under `module: nodenext` and under `moduleResolution: bundler`,
 *   - runs it as ESM (and the examples without top-level await also as CommonJS),
 *   - compares every `console.log(...); // => value` with what the example printed.
 * Then it installs the CLI tarball and runs `npx attnkit count resnet50 --attention eca`,
 * checking the parameter count of adaptive ECA-ResNet-50 (docs/paper.md: 25,557,118), and bundles a
 * page importing every public package with esbuild, Vite and webpack 5 (browser-bundles.mjs).
 *
 * Usage: node tools/pack-test/pack-test.mjs [--keep] [package ... | cli | browser]   (run by .ci/run after
 * `pnpm test`, which builds; the packages' dist/ must be built). Needs the npm registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_PROJECT_PEERS, checkBrowserBundles } from './browser-bundles.mjs';
import { readmeExample } from './readme-example.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const only = args.filter((a) => !a.startsWith('--'));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
/** onnxruntime-node's install script downloads CUDA binaries on linux-x64; the README says to skip it. */
const installEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

const packageDirs = readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));
const publicDirs = [...packageDirs, join(root, 'apps/cli')].filter((dir) => !readJson(join(dir, 'package.json')).private);
/** The versions the workspace tests: every devDependency / dependency pin of the public packages. */
const pinned = new Map();
for (const dir of publicDirs) {
  const manifest = readJson(join(dir, 'package.json'));
  for (const field of ['devDependencies', 'dependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^\d+\.\d+\.\d+$/.test(range)) pinned.set(name, range);
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'attnkit-pack-test-'));
const failures = [];
try {
  const tarballs = packAll(join(work, 'tarballs'));
  for (const dir of packageDirs.filter((d) => publicDirs.includes(d))) {
    const name = readJson(join(dir, 'package.json')).name;
    if (only.length > 0 && !only.includes(name) && !only.includes(basename(dir))) continue;
    checkReadme(dir, name, tarballs);
  }
  if (only.length === 0 || only.includes('cli') || only.includes('@attnkit/cli')) checkCli(tarballs);
  if (only.length === 0 || only.includes('browser')) {
    const libraries = [...tarballs.keys()].filter((name) => publicDirs.some((dir) => dir.includes(`${sep}packages${sep}`) && readJson(join(dir, 'package.json')).name === name));
    failures.push(...(await checkBrowserBundles(freshProject('browser', [...libraries, ...BROWSER_PROJECT_PEERS], tarballs))));
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\npack-test: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('\npack-test: every README example installs, type-checks, runs and prints what it documents');

function packAll(destination) {
  mkdirSync(destination, { recursive: true });
  const tarballs = new Map();
  for (const dir of publicDirs) {
    const name = readJson(join(dir, 'package.json')).name;
    const before = new Set(readdirSync(destination));
    execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const file = readdirSync(destination).find((f) => !before.has(f));
    tarballs.set(name, join(destination, file));
  }
  console.log(`packed ${[...tarballs.keys()].join(', ')}`);
  return tarballs;
}

/**
 * A fresh npm project with exactly `names` as dependencies: attnkit packages from their tarballs
 * (every attnkit package resolves to its tarball through `overrides`, also when another depends on
 * it), the rest at the workspace's pinned version.
 */
function freshProject(label, names, tarballs) {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const spec = (name) => (tarballs.has(name) ? `file:${tarballs.get(name)}` : pinned.get(name) ?? 'latest');
  const overrides = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `attnkit-pack-test-${label}`, private: true, version: '0.0.0', dependencies: Object.fromEntries(names.map((n) => [n, spec(n)])), overrides }, null, 2)}\n`,
  );
  const started = performance.now();
  const installed = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: installEnv, encoding: 'utf8' });
  if (installed.status !== 0) throw new Error(`${label}: npm install ${names.join(' ')} failed:\n${installed.stderr}`);
  console.log(`${label}: npm install ${names.join(' ')} (${Math.round((performance.now() - started) / 1000)} s)`);
  return dir;
}

function checkReadme(dir, name, tarballs) {
  const label = basename(dir);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  let example;
  try {
    example = readmeExample(readme);
  } catch (error) {
    failures.push(`${name} README: ${error.message}`);
    return;
  }
  const project = freshProject(label, example.installs, tarballs);
  const fail = (what) => failures.push(`${name} README example: ${what}`);

  writeFileSync(join(project, 'example.mts'), example.code);
  const cjs = !example.topLevelAwait;
  if (cjs) writeFileSync(join(project, 'example.cts'), example.code);
  const files = cjs ? ['example.mts', 'example.cts'] : ['example.mts'];
  const compilerOptions = { strict: true, skipLibCheck: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [] };
  writeFileSync(join(project, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }, files }));
  writeFileSync(join(project, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, files: ['example.mts'] }));

  const typecheck = (config) => spawnSync(process.execPath, [tsc, '-p', config], { cwd: project, encoding: 'utf8' });
  const nodenext = typecheck('tsconfig.nodenext.json');
  if (nodenext.status !== 0) fail(`tsc (module nodenext) failed:\n${nodenext.stdout}${nodenext.stderr}`);
  const bundler = typecheck('tsconfig.bundler.json');
  if (bundler.status !== 0) fail(`tsc (moduleResolution bundler) failed:\n${bundler.stdout}${bundler.stderr}`);
  if (nodenext.status !== 0) return;

  for (const file of files.map((f) => f.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs'))) {
    const kind = file.endsWith('.cjs') ? 'CommonJS' : 'ESM';
    const printed = runRecorded(join(project, 'out', file), kind);
    if (printed.error) {
      fail(`${kind} run failed:\n${printed.error}`);
      continue;
    }
    compare(printed.lines, example.expectations, (what) => fail(`${kind}: ${what}`));
    console.log(`${name}: README example ran as ${kind}, ${example.expectations.filter((e) => e !== undefined).length} printed values as documented`);
  }
}

/** Runs a compiled example with console.log recorded one JSON string per call. */
function runRecorded(file, kind) {
  const source = readFileSync(file, 'utf8');
  const recorder =
    kind === 'ESM'
      ? `import { format as __format } from 'node:util';\nconsole.log = (...a) => process.stdout.write(JSON.stringify(__format(...a)) + '\\n');\n`
      : `console.log = (...a) => process.stdout.write(JSON.stringify(require('node:util').format(...a)) + '\\n');\n`;
  writeFileSync(file, kind === 'ESM' ? recorder + source : source.replace(/^("use strict";\n)?/, (strict) => strict + recorder));
  const run = spawnSync(process.execPath, [file], { cwd: dirname(dirname(file)), encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) return { error: `${run.stderr}${run.stdout}`.slice(0, 4000) };
  return { lines: run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

function compare(lines, expectations, fail) {
  if (lines.length !== expectations.length) {
    fail(`printed ${lines.length} lines but the README has ${expectations.length} console.log calls:\n${lines.join('\n')}`);
    return;
  }
  const normalize = (text) => text.replace(/\s+/g, ' ').trim();
  expectations.forEach((expected, i) => {
    if (expected !== undefined && normalize(lines[i]) !== normalize(expected)) fail(`console.log #${i + 1} printed ${JSON.stringify(lines[i])}, the README says ${JSON.stringify(expected)}`);
  });
}

function checkCli(tarballs) {
  const cliName = readJson(join(root, 'apps/cli/package.json')).name;
  const project = freshProject('cli', [cliName], tarballs);
  const npx = (...command) => spawnSync('npx', ['--no-install', ...command], { cwd: project, env: installEnv, encoding: 'utf8', timeout: 300_000 });
  const table = npx('attnkit', 'count', 'resnet50', '--attention', 'eca');
  if (table.status !== 0) {
    failures.push(`npx attnkit count resnet50 --attention eca exited ${table.status}:\n${table.stderr}`);
    return;
  }
  const parameters = /^parameters\s+([\d,]+)/m.exec(table.stdout)?.[1];
  if (parameters !== '25,557,118') failures.push(`npx attnkit count resnet50 --attention eca printed parameters ${parameters}, docs/paper.md says 25,557,118:\n${table.stdout}`);
  const json = npx('attnkit', 'count', 'resnet50', '--attention', 'eca', '--json');
  const counted = json.status === 0 ? JSON.parse(json.stdout).parameters : `exit ${json.status}: ${json.stderr}`;
  if (counted !== 25_557_118) failures.push(`npx attnkit count resnet50 --attention eca --json: parameters ${counted}, expected 25557118`);
  // The default bench config ships in the tarball: --help of bench names it, and the file parses.
  const shipped = readJson(join(project, 'node_modules', cliName, 'bench.default.json'));
  if (!Array.isArray(shipped.models)) failures.push('the CLI tarball has no usable bench.default.json');
  console.log(`${cliName}: npx attnkit count resnet50 --attention eca -> parameters ${parameters}; bench.default.json shipped`);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
