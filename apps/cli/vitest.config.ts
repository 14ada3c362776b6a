import { attnkitProject } from '../../vitest.shared.js';

export default attnkitProject('@attnkit/cli', { testTimeout: 180_000 });
