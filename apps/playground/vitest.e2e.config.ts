import { defineConfig } from 'vitest/config';

// The built site in Chromium (e2e/*.e2e.ts): run after `pnpm --filter playground build`.
export default defineConfig({
  test: { name: 'playground-e2e', include: ['e2e/**/*.e2e.ts'], testTimeout: 600_000, hookTimeout: 120_000, fileParallelism: false },
});
