import { mutationConfig } from '../../stryker.shared.mjs';

export default mutationConfig({ mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/index.ts'] });
