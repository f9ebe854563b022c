// End-to-end tests against the real agent CLIs (npm run test:e2e). scripts/install-agent-clis.mjs
// installs them first; the tests find them through the CXO_E2E_* variables set here.
import { defineConfig } from 'vitest/config';
import { binPath } from './scripts/install-agent-clis.mjs';

export default defineConfig({
  test: {
    include: ['orchestrator/tests/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      CXO_E2E_CODEX_BIN: binPath('codex'),
      CXO_E2E_CODEX_MCP_BIN: binPath('codex-mcp'),
      CXO_E2E_CLAUDE_BIN: binPath('claude'),
    },
  },
});
