import { defaultClientConditions, defaultServerConditions } from 'vite';
import { type UserWorkspaceConfig, defineProject } from 'vitest/config';

/**
 * Per-package vitest project: the `@attnkit/source` export condition makes workspace imports read src/,
 * so tests and type checks need no build.
 */
export function attnkitProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@attnkit/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@attnkit/source', ...defaultServerConditions] } },
    test: { name, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...test },
  });
}
