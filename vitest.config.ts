import { defineConfig } from 'vitest/config';

// One workspace run over every package; `@attnkit/source` resolves workspace imports to src/ so tests
// need no build.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tools'],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
