import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { writeFileAtomic } from '../repo/atomic-write.js';
import { decodeSource, encodeSource } from '../repo/source-text.js';
import { languageOf, patternFiles } from './pattern-files.js';
import { resolveOptions } from './pattern-options.js';
import type { OptionValue, PatternEntry, PatternLibrary } from './pattern-types.js';
import { loadTransformer, type TransformOutput } from './transformer.js';

export interface ApplyOptions {
  /** `KEY=VALUE` pairs or typed values; the pattern's defaults fill the rest. */
  options?: readonly string[] | Record<string, OptionValue>;
  /** Compute the diff, write nothing. */
  dryRun?: boolean;
}

/** A file the pattern could not work on: reported and skipped, never fatal. */
export interface SkippedFile {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ApplyResult {
  pattern: string;
  kind: PatternEntry['kind'];
  /** Files in the pattern's languages that were looked at. */
  checked: number;
  changed: string[];
  skipped: SkippedFile[];
  /** Problems a lint rule found and could not fix, by file. */
  unfixed: SkippedFile[];
  /** Unified diff of every change (a/ and b/ prefixes, as git apply takes it). */
  diff: string;
  written: boolean;
}

/**
 * Applies a codemod or lint rule to every file of its languages under `dir`: per file, read,
 * transform, diff; then, unless a dry run, write each changed file atomically. A file that does
 * not parse (or that the pattern throws on) is reported in `skipped` and left as it is.
 */
export async function applyPattern(
  library: PatternLibrary,
  pattern: PatternEntry,
  dir: string,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const values = resolveOptions(pattern, options.options);
  const transform = await loadTransformer(library, pattern);
  const files = patternFiles(dir, pattern.languages);
  const result: ApplyResult = {
    pattern: pattern.id,
    kind: pattern.kind,
    checked: 0,
    changed: [],
    skipped: [],
    unfixed: [],
    diff: '',
    written: false,
  };
  const writes: { path: string; content: string; mode: number }[] = [];
  const patches: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const decoded = decodeSource(file, readFileSync(path));
    result.checked++;
    if (!decoded.source) {
      const d = decoded.diagnostics[0];
      result.skipped.push({ file, line: d.line, column: d.column, message: d.message });
      continue;
    }
    const { text } = decoded.source;
    let out: TransformOutput;
    try {
      out = transform(text, { lang: languageOf(file), filename: file, absolutePath: path, options: values });
    } catch (e) {
      const error = e as Error & { code?: string; line?: number; column?: number };
      const message = error.code === 'ParseError' ? `cannot parse: ${error.message}` : error.message;
      result.skipped.push({ file, line: error.line, column: error.column, message });
      continue;
    }
    for (const u of out.unfixed) result.unfixed.push({ file, ...u });
    if (out.output === null || out.output === text) continue;
    result.changed.push(file);
    patches.push(
      createTwoFilesPatch(`a/${file}`, `b/${file}`, text, out.output, undefined, undefined, {
        headerOptions: FILE_HEADERS_ONLY,
      }),
    );
    writes.push({
      path,
      content: encodeSource(decoded.source, out.output),
      mode: statSync(path).mode & 0o7777,
    });
  }
  result.diff = patches.join('');
  if (!options.dryRun && writes.length > 0) {
    for (const w of writes) {
      writeFileAtomic(w.path, w.content);
      // the atomic write creates the file 0644: an executable script must stay executable
      if ((statSync(w.path).mode & 0o7777) !== w.mode) chmodSync(w.path, w.mode);
    }
    result.written = true;
  }
  return result;
}
