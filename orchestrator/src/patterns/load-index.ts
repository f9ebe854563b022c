import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { InvalidRepoError } from '../errors.js';
import { validatePatternsIndex } from '../generated/tool-validators.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../repo/diagnostics.js';
import { parseJson } from '../repo/json-document.js';
import { repoPathProblem } from '../repo/repo-paths.js';
import { validateWithSchema } from '../repo/schema-validation.js';
import { decodeSource, type SourceText } from '../repo/source-text.js';
import type { PatternEntry, PatternLibrary } from './pattern-types.js';

/**
 * Checks patterns/index.json: JSON syntax, the schema, unique ids, and that every entry and
 * example file exists inside the library. `exists` answers for paths relative to the library.
 */
export function parsePatternIndex(
  source: SourceText,
  exists: (path: string) => boolean,
): { patterns?: PatternEntry[]; diagnostics: Diagnostic[] } {
  const parsed = parseJson(source, { mode: 'full' });
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics = validateWithSchema(validatePatternsIndex, doc.value, (path, ...rest) =>
    doc.diagnosticAt(path, ...rest),
  );
  if (hasErrors(diagnostics)) return { diagnostics };
  const patterns = (doc.value as { patterns: PatternEntry[] }).patterns;
  const firstAt = new Map<string, number>();
  patterns.forEach((pattern, i) => {
    const first = firstAt.get(pattern.id);
    if (first === undefined) firstAt.set(pattern.id, i);
    else {
      diagnostics.push(
        doc.diagnosticAt(
          ['patterns', i, 'id'],
          'error',
          'duplicate-id',
          `duplicate pattern id "${pattern.id}" (also pattern #${first + 1})`,
          'pattern ids must be unique: `pattern:<id>` and `cxo patterns apply <id>` name them',
        ),
      );
    }
    const files: [(string | number)[], string][] = [[['entry'], pattern.entry]];
    (pattern.examples ?? []).forEach((example, j) => {
      files.push([['examples', j, 'before'], example.before]);
      files.push([['examples', j, 'after'], example.after]);
    });
    for (const [field, file] of files) {
      const path = ['patterns', i, ...field];
      const problem = repoPathProblem(file);
      if (problem) {
        diagnostics.push(
          doc.diagnosticAt(path, 'error', 'bad-path', `${problem.replace('repository', 'library')}`),
        );
      } else if (!exists(file)) {
        diagnostics.push(
          doc.diagnosticAt(
            path,
            'error',
            'missing-file',
            `${file} does not exist in the library`,
            'paths are relative to the folder holding index.json',
          ),
        );
      }
    }
    if (pattern.kind !== 'template' && !/\.m?js$/.test(pattern.entry)) {
      diagnostics.push(
        doc.diagnosticAt(
          ['patterns', i, 'entry'],
          'error',
          'bad-entry',
          `a ${pattern.kind}'s entry must be a JavaScript module (.mjs or .js), found ${pattern.entry}`,
        ),
      );
    }
  });
  return hasErrors(diagnostics) ? { diagnostics } : { patterns, diagnostics };
}

/** Loads the library in `dir`; bad input throws InvalidRepoError with every diagnostic. */
export function loadPatternLibrary(dir: string): PatternLibrary {
  const path = join(dir, 'index.json');
  const file = displayPath(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new InvalidRepoError(`no pattern library in ${displayPath(dir)}`, [
      { severity: 'error', code: 'missing-file', message: 'index.json not found', file },
    ]);
  }
  const decoded = decodeSource(file, bytes);
  const result = decoded.source
    ? parsePatternIndex(decoded.source, (p) => isFile(join(dir, p)))
    : { diagnostics: decoded.diagnostics };
  if (!result.patterns)
    throw new InvalidRepoError(`${file} is not a valid pattern index`, sortDiagnostics(result.diagnostics));
  return { dir, patterns: result.patterns, byId: new Map(result.patterns.map((p) => [p.id, p])) };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Relative to the current directory when inside it, else absolute: what a person can open. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}
