import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { type UserWorkspaceConfig, defineProject } from 'vitest/config';

/** The runtimes whose other versions tools/runtime-range/ can put under test. */
const SWAPPABLE_RUNTIMES = [
  'onnxruntime-node',
  'onnxruntime-web',
  'onnxruntime-common',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
];

/**
 * `ATTNKIT_RUNTIMES_DIR=<folder with node_modules>` makes the tests import the onnxruntime /
 * tfjs packages installed there instead of the workspace's (tools/runtime-range runs the adapter
 * tests against the oldest versions the peer ranges allow). Each installed name maps to the file
 * Node resolves there, so the runtime's own dependencies come from the same install.
 */
function runtimeAliases() {
  const dir = process.env.ATTNKIT_RUNTIMES_DIR;
  if (!dir) return [];
  const require = createRequire(join(dir, 'package.json'));
  const installed = SWAPPABLE_RUNTIMES.filter((name) => {
    try {
      require.resolve(name);
      return true;
    } catch {
      return false;
    }
  });
  return installed.map((name) => ({ find: new RegExp(`^${name}$`), replacement: require.resolve(name) }));
}

/**
 * Per-package vitest project: the `@attnkit/source` export condition makes workspace imports read src/,
 * so tests and type checks need no build.
 */
export function attnkitProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@attnkit/source', ...defaultClientConditions], alias: runtimeAliases() },
    ssr: { resolve: { conditions: ['@attnkit/source', ...defaultServerConditions] } },
    test: { name, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...test },
  });
}
