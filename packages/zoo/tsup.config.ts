import { packageBuild } from '../../tsup.shared.js';

// `./node` (file-system weights I/O and cache) is its own entry so the main one stays browser-safe.
export default packageBuild({ entry: { index: 'src/index.ts', node: 'src/weights/node.ts' } });
