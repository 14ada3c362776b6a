import { packageBuild } from '../../tsup.shared.js';

export default packageBuild({
  entry: ['src/index.ts', 'src/file-system-io.ts'],
  // Optional backends, loaded by useBackend() only when asked for: never bundled.
  external: ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
});
