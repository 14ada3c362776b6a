import { defineProject } from 'vitest/config';

// Unit tests of the page's pure helpers; the page itself is tested end to end (vitest.e2e.config.ts).
export default defineProject({ test: { name: 'playground', include: ['src/**/*.test.ts'] } });
