import { packageBuild } from '../../tsup.shared.js';

// `node/index` is the Node-only entry `@attnkit/core/node` (file helpers); the main entry has no Node code.
export default packageBuild({ entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } });
