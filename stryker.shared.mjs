import { fileURLToPath } from 'node:url';

// Plugins resolve from the workspace root, where they are installed, not from each package.
const plugin = (name) => fileURLToPath(import.meta.resolve(name));

/**
 * Mutation testing, one package at a time (`pnpm test:mutation [package...]`). Each package's
 * stryker.config.mjs names what to mutate; everything else is shared here.
 * @param {{ mutate: string[], thresholds?: { break?: number } }} options
 */
export function mutationConfig({ mutate, thresholds = {} }) {
  return {
    plugins: [
      plugin('@stryker-mutator/vitest-runner'),
      plugin('@stryker-mutator/typescript-checker'),
      fileURLToPath(new URL('./tools/stryker-documentation-ignorer.mjs', import.meta.url)),
    ],
    // Excluded everywhere: the text of `description` properties and of the `label`s in a module's
    // testCases list, prose that no computation reads (tools/stryker-documentation-ignorer.mjs).
    ignorers: ['documentation-text'],
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.config.ts', related: true },
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate,
    incremental: true,
    // Committed, so a rerun (and CI) only tests mutants whose code or tests changed.
    incrementalFile: 'stryker-incremental.json',
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: 'reports/mutation/index.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    concurrency: 2,
    thresholds: { high: 95, low: 90, break: thresholds.break ?? 90 },
    // In place: a sandbox copy of one package cannot resolve the workspace's shared configs and
    // pnpm's per-package node_modules links.
    inPlace: true,
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
  };
}
