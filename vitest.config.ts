import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['orchestrator/tests/**/*.test.ts'],
    // the real agent CLIs are installed by npm run test:e2e, which runs that folder
    exclude: [...configDefaults.exclude, 'orchestrator/tests/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
