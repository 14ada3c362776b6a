import { mutationConfig } from '../../stryker.shared.mjs';

// The numeric heart: kernel-size rules, seeded init, counting and the reference interpreter.
export default mutationConfig({ mutate: ['src/kernel-size.ts', 'src/initializer.ts', 'src/counting.ts', 'src/reference.ts'] });
