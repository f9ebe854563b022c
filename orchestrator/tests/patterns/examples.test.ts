import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuleTester } from 'eslint';
import { describe, expect, it } from 'vitest';
import { installedLibraryDir } from '../../src/patterns/library-dir.js';
import { loadPatternLibrary } from '../../src/patterns/load-index.js';
import { languageOf } from '../../src/patterns/pattern-files.js';
import { resolveOptions } from '../../src/patterns/pattern-options.js';
import { loadTransformer } from '../../src/patterns/transformer.js';

const library = loadPatternLibrary(installedLibraryDir());
const appliable = library.patterns.filter((p) => p.kind !== 'template');
const read = (file: string) => readFileSync(join(library.dir, file), 'utf8');

describe('the learning library', () => {
  it('has at least three codemods, two lint rules and the five templates', () => {
    expect(library.patterns.filter((p) => p.kind === 'codemod').length).toBeGreaterThanOrEqual(3);
    expect(library.patterns.filter((p) => p.kind === 'lint-rule').length).toBeGreaterThanOrEqual(2);
    expect(library.patterns.filter((p) => p.kind === 'template').map((p) => p.id)).toEqual(
      expect.arrayContaining(['prd', 'mini-spec', 'checklist', 'agents-section', 'review-checklist']),
    );
  });

  // every example of every codemod and lint rule in index.json: a new pattern is tested by adding it
  for (const pattern of appliable) {
    describe(`${pattern.kind} ${pattern.id}`, () => {
      for (const example of pattern.examples ?? []) {
        it(`turns ${example.before} into ${example.after}, and changes nothing the second time`, async () => {
          const transform = await loadTransformer(library, pattern);
          const options = resolveOptions(pattern, example.options ?? {});
          const filename = example.before.split('/').at(-1)!;
          const input = {
            lang: languageOf(filename),
            filename,
            absolutePath: join(library.dir, example.before),
            options,
          };
          const once = transform(read(example.before), input);
          expect(once.output).toBe(read(example.after));
          expect(once.unfixed).toEqual([]);
          // idempotent: the result (and the after fixture) is a fixed point
          expect(transform(once.output!, input).output).toBeNull();
          expect(transform(read(example.after), input).output).toBeNull();
        });
      }
    });
  }
});

describe('the ESLint plugin', async () => {
  const plugin = (await import(pathToFileURL(join(library.dir, 'lint-rules/plugin.mjs')).href)).default;
  RuleTester.describe = describe;
  RuleTester.it = it;
  RuleTester.itOnly = it.only;
  const tester = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });

  it('holds every lint rule of the index, fixable, and a recommended config that turns them on', () => {
    const ids = library.patterns.filter((p) => p.kind === 'lint-rule').map((p) => p.id);
    expect(Object.keys(plugin.rules).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(plugin.rules[id].meta.fixable).toBe('code');
    expect(plugin.meta).toEqual({ name: 'codex-orchestrator-patterns', version: expect.any(String) });
    expect(plugin.configs.recommended.plugins.cxo).toBe(plugin);
    expect(Object.keys(plugin.configs.recommended.rules).sort()).toEqual(ids.map((id) => `cxo/${id}`).sort());
  });

  tester.run('error-cause', plugin.rules['error-cause'], {
    valid: [
      'try { f(); } catch (err) { throw new Error("x", { cause: err }); }',
      'try { f(); } catch (err) { throw err; }',
      'try { f(); } catch { throw new Error("x"); }',
      'try { f(); } catch (err) { g(() => { throw new Error("later"); }); }',
      'try { f(); } catch (err) { throw new HttpError(500, "x"); }',
      'throw new Error("not in a catch");',
      'try { f(); } catch (err) { throw new Error("x", options); }',
    ],
    invalid: [
      {
        code: 'try { f(); } catch (err) { throw new Error("x"); }',
        output: 'try { f(); } catch (err) { throw new Error("x", { cause: err }); }',
        errors: [{ messageId: 'missingCause' }],
      },
      {
        code: 'try { f(); } catch (e) { throw TypeError(`bad ${e}`, { code: 1 }); }',
        output: 'try { f(); } catch (e) { throw TypeError(`bad ${e}`, { code: 1, cause: e }); }',
        errors: [{ messageId: 'missingCause' }],
      },
      {
        code: 'try { f(); } catch (cause) { if (x) { throw new RangeError("r", {}); } }',
        output: 'try { f(); } catch (cause) { if (x) { throw new RangeError("r", { cause }); } }',
        errors: [{ messageId: 'missingCause' }],
      },
    ],
  });

  tester.run('prefer-node-protocol', plugin.rules['prefer-node-protocol'], {
    valid: [
      'import fs from "node:fs";',
      'import lodash from "lodash";',
      'import x from "./fs";',
      'const p = require(name);',
      'export const fs = 1;',
    ],
    invalid: [
      {
        code: 'import { readFile } from "fs/promises";',
        output: 'import { readFile } from "node:fs/promises";',
        errors: [{ messageId: 'prefix' }],
      },
      {
        code: "const path = require('path');\nexport * from 'url';\nawait import('os');",
        output: "const path = require('node:path');\nexport * from 'node:url';\nawait import('node:os');",
        errors: [{ messageId: 'prefix' }, { messageId: 'prefix' }, { messageId: 'prefix' }],
      },
    ],
  });
});
