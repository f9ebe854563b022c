// How the engine applies one lint rule: ESLint's Linter in flat-config mode with only that rule
// on, fixed until stable (verifyAndFix). TypeScript goes through @typescript-eslint/parser,
// JavaScript through ESLint's default parser. Loaded by file URL, so ESLint stays out of the CLI bundle.
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { ParseError } from '../lib/parse-error.mjs';

/**
 * Fixes `source` with `rule`. Returns the fixed text (null when nothing changed) and the problems
 * the rule reported but could not fix, with positions.
 */
export function fixWithRule(source, { filename, ruleId, rule, cwd = '/' }) {
  const typescript = /\.[cm]?tsx?$/.test(filename);
  const linter = new Linter({ configType: 'flat', cwd });
  const config = [
    {
      // a universal '**/*' alone matches no file in flat config
      files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'],
      plugins: { cxo: { rules: { [ruleId]: rule } } },
      languageOptions: {
        ecmaVersion: 'latest',
        sourceType: filename.endsWith('.cjs') || filename.endsWith('.cts') ? 'commonjs' : 'module',
        ...(typescript ? { parser: tsParser } : {}),
        ...(filename.endsWith('.jsx') ? { parserOptions: { ecmaFeatures: { jsx: true } } } : {}),
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
      rules: { [`cxo/${ruleId}`]: 'error' },
    },
  ];
  const result = linter.verifyAndFix(source, config, { filename });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new ParseError(fatal.message.replace(/^Parsing error: /, ''), fatal.line, fatal.column);
  return {
    output: result.fixed && result.output !== source ? result.output : null,
    unfixed: result.messages.map((m) => ({ line: m.line, column: m.column, message: m.message })),
  };
}
