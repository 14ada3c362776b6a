import { type Options, defineConfig } from 'tsup';

/** How every public package builds: ESM plus .d.ts from src/index.ts (and any extra entries). */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: { compilerOptions: { composite: false } },
    clean: true,
    sourcemap: true,
    target: 'es2022',
    ...options,
  });
}
