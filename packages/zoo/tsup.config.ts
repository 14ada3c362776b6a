import { packageBuild } from '../../tsup.shared.js';

// `weights/node` is the Node-only entry `@attnkit/zoo/node` (safetensors files on disk).
export default packageBuild({ entry: { index: 'src/index.ts', 'weights/node': 'src/weights/node.ts' } });
