// ESLint flat config: the recommended JavaScript and TypeScript rules over the source, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'action/dist/',
      'coverage/',
      '.bench-cache/',
      'orchestrator/src/generated/',
      'orchestrator/tests/fixtures/',
      // before/after fixtures of the learning library: the "before" files are bad on purpose
      'patterns/**/examples/',
      // sample repositories the evaluation runs on, in their own style (CommonJS, old APIs)
      'evaluation/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      // escape sequences in patterns are deliberate (ANSI colours, NUL bytes)
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
