// Writes schema/bench-config.schema.json from the zod schema in src/bench/bench-config.ts
// (with every registered attention module's options): runs the test that checks the committed
// file, in its rewrite mode. Usage, from the repository root:
//   node apps/cli/scripts/generate-bench-schema.mjs
// The same JSON is printed by `attnkit bench --print-schema`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('..', import.meta.url));
execFileSync('pnpm', ['exec', 'vitest', 'run', 'test/bench-config.test.ts', '-t', 'is published up to date'], {
  cwd: cli,
  stdio: 'inherit',
  env: { ...process.env, WRITE_BENCH_SCHEMA: '1' },
});
console.log(`wrote ${fileURLToPath(new URL('../schema/bench-config.schema.json', import.meta.url))}`);
