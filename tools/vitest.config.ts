import { attnkitProject } from '../vitest.shared.js';

export default attnkitProject('@attnkit/tools', { include: ['release/**/*.test.ts', 'pack-test/**/*.test.ts', 'stryker-documentation-ignorer.test.ts'] });
