/** The page's version of the CLI's `backends/backend-table.ts`: the browser backends by name. */
import type { BenchBackend } from '../../../cli/src/bench/bench-backend.js';
import type { BenchBackendName } from '../../../cli/src/bench/bench-config.js';
import { createBrowserBackends } from '../browser-backends.js';

export function createBackendTable(): Record<BenchBackendName, BenchBackend> {
  return createBrowserBackends() as unknown as Record<BenchBackendName, BenchBackend>;
}
