import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OperationError, UsageError } from '../errors.js';
import { installedLibraryDir } from './library-dir.js';
import type { OptionValue, PatternEntry, PatternLibrary } from './pattern-types.js';

export interface TransformInput {
  lang: 'javascript' | 'typescript' | 'tsx';
  /** Relative to the directory the pattern is applied to. */
  filename: string;
  /** Absolute path, for tools that match configuration by path (ESLint). */
  absolutePath: string;
  options: Record<string, OptionValue>;
}

export interface TransformOutput {
  /** The new text, or null when the pattern changes nothing in this file. */
  output: string | null;
  /** Problems a lint rule reported but could not fix. */
  unfixed: { line: number; column: number; message: string }[];
}

/** A pattern reduced to one function from source text to new source text. */
export type Transformer = (source: string, input: TransformInput) => TransformOutput;

/**
 * Loads a codemod or lint rule. Library modules are imported by file URL at run time, so the
 * engines they use (@ast-grep/napi, ESLint) are resolved from the package's dependencies and
 * never enter the CLI bundle or the start-up of other commands.
 */
export async function loadTransformer(library: PatternLibrary, pattern: PatternEntry): Promise<Transformer> {
  if (pattern.kind === 'template') {
    throw new UsageError(
      `${pattern.id} is a template: it is not applied to code`,
      `\`cxo patterns show ${pattern.id}\` prints it; cxo init and cxo spec new use the built-in ones`,
    );
  }
  const module = await importModule(join(library.dir, pattern.entry));
  if (pattern.kind === 'codemod') {
    const transform = module.transform;
    if (typeof transform !== 'function')
      throw new OperationError(`${pattern.entry} does not export a transform(source, context) function`);
    return (source, input) => {
      const output = transform(source, {
        lang: input.lang,
        filename: input.filename,
        options: input.options,
      });
      // a string or null, or { output, unfixed } when some places need a person
      const result = isTransformOutput(output) ? output : { output, unfixed: [] };
      if (result.output !== null && typeof result.output !== 'string')
        throw new OperationError(
          `${pattern.entry}: transform returned ${typeof result.output}, expected a string, null or { output, unfixed }`,
        );
      return { output: result.output === source ? null : result.output, unfixed: result.unfixed };
    };
  }
  const rule = module.default as { create?: unknown } | undefined;
  if (typeof rule?.create !== 'function')
    throw new OperationError(`${pattern.entry} does not export an ESLint rule as its default export`);
  // the runner ships with this package; a team's own library only brings rule modules
  const { fixWithRule } = await importModule(join(installedLibraryDir(), 'lint-rules', 'run-rule.mjs'));
  return (source, input) =>
    (fixWithRule as (s: string, o: object) => TransformOutput)(source, {
      filename: input.absolutePath,
      ruleId: pattern.id,
      rule,
    });
}

function isTransformOutput(value: unknown): value is TransformOutput {
  return typeof value === 'object' && value !== null && Array.isArray((value as TransformOutput).unfixed);
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new OperationError(`cannot load ${path}: ${(e as Error).message}`);
  }
}
