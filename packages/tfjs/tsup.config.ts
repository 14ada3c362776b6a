import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/file-system-io.ts'],
  format: ['esm'],
  // Optional backends, loaded by useBackend() only when asked for: never bundled.
  external: ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
  dts: { compilerOptions: { composite: false } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
