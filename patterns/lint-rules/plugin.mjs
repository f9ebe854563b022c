// The library's lint rules as an ESLint flat-config plugin. In a team's eslint.config.js:
//   import cxo from 'codex-orchestrator/patterns/lint-rules/plugin.mjs';
//   export default [cxo.configs.recommended];
import { createRequire } from 'node:module';
import errorCause from './error-cause.mjs';
import preferNodeProtocol from './prefer-node-protocol.mjs';

const { version } = createRequire(import.meta.url)('../../package.json');

const plugin = {
  meta: { name: 'codex-orchestrator-patterns', version },
  rules: { 'error-cause': errorCause, 'prefer-node-protocol': preferNodeProtocol },
  configs: {},
};

plugin.configs.recommended = {
  name: 'codex-orchestrator-patterns/recommended',
  plugins: { cxo: plugin },
  rules: { 'cxo/error-cause': 'error', 'cxo/prefer-node-protocol': 'error' },
};

export default plugin;
