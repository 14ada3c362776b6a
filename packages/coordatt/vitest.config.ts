import { attnkitProject } from '../../vitest.shared.js';

export default attnkitProject('@attnkit/coordatt');
