import { type Options, defineConfig } from 'tsup';

/**
 * How every public package builds: ESM (`.js`) and CommonJS (`.cjs`) from src/index.ts (and any
 * extra entries), each with its declarations (`.d.ts`, `.d.cts`), so `import` and `require` both
 * resolve to code and types of their own module kind.
 */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false } },
    clean: true,
    sourcemap: true,
    target: 'es2022',
    // Keep `node:` specifiers (Node >= 20 knows them): bare `fs` / `path` read as npm packages to bundlers.
    removeNodeProtocol: false,
    ...options,
  });
}
