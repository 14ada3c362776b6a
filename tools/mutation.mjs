#!/usr/bin/env node
/**
 * `pnpm test:mutation [dir...]`: StrykerJS on each package that has a stryker.config.mjs (or the
 * folders given), one after another, then one table of scores. Exits 1 when any package is
 * below its break threshold (90 unless its config says otherwise).
 *
 * Incremental: each package commits its stryker-incremental.json, so a rerun only tests the
 * mutants whose code or covering tests changed. `--full` ignores it (`stryker run --force`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const full = args.includes('--full');
const named = args.filter((a) => !a.startsWith('--'));
const configured = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, group, d.name, 'stryker.config.mjs')))
    .map((d) => join(group, d.name)),
);
const targets = named.length > 0 ? named : configured;

const rows = [];
for (const target of targets) {
  const cwd = join(root, target);
  if (!existsSync(join(cwd, 'stryker.config.mjs'))) {
    console.error(`test:mutation: ${target} has no stryker.config.mjs; configured: ${configured.join(', ')}`);
    process.exit(2);
  }
  const started = Date.now();
  const run = spawnSync('pnpm', ['exec', 'stryker', 'run', ...(full ? ['--force'] : [])], { cwd, stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  const report = join(cwd, 'reports/mutation/mutation.json');
  const { files, thresholds } = JSON.parse(readFileSync(report, 'utf8'));
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const file of Object.values(files)) for (const m of file.mutants) if (m.status in count) count[m.status] += 1;
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  rows.push({ target: relative(root, cwd), score, ...count, seconds, threshold: thresholds?.break ?? 90, exit: run.status });
}

console.log('\npackage            score  killed  timeout  survived  no-cov  seconds');
for (const r of rows) {
  console.log(
    `${r.target.padEnd(18)}${r.score.toFixed(2).padStart(6)}${String(r.Killed).padStart(8)}${String(r.Timeout).padStart(9)}${String(r.Survived).padStart(10)}${String(r.NoCoverage).padStart(8)}${r.seconds.toFixed(0).padStart(9)}`,
  );
}
const failing = rows.filter((r) => r.score < r.threshold);
if (failing.length > 0) {
  console.error(`\nbelow threshold: ${failing.map((r) => `${r.target} ${r.score.toFixed(2)} < ${r.threshold}`).join(', ')}`);
  process.exit(1);
}
