import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { applyPattern } from '../patterns/apply-pattern.js';
import { installedLibraryDir } from '../patterns/library-dir.js';
import { loadPatternLibrary } from '../patterns/load-index.js';
import { resolveOptions } from '../patterns/pattern-options.js';
import type { PatternEntry, PatternLibrary } from '../patterns/pattern-types.js';
import type { Agent, AgentContext, AgentResult } from './agent.js';

/**
 * The `pattern:<id> [KEY=VALUE ...]` adapter: a deterministic builder that applies a codemod or
 * lint rule of the learning library to the run's worktree. No model is involved; the diff and
 * the per-file log are the step's artifacts. A pattern that changes nothing fails the step
 * (PatternNotApplied): the run says honestly that the builder did nothing.
 */
export class PatternAgent implements Agent {
  readonly spec: string;
  private readonly library: PatternLibrary;
  private readonly pattern: PatternEntry;
  private readonly options: string[];

  constructor(argument: string) {
    this.spec = `pattern:${argument}`;
    const [id = '', ...options] = argument.trim().split(/\s+/);
    this.library = loadPatternLibrary(installedLibraryDir());
    const pattern = this.library.byId.get(id);
    if (!pattern || pattern.kind === 'template') {
      const usable = this.library.patterns.filter((p) => p.kind !== 'template').map((p) => p.id);
      throw new UsageError(
        pattern ? `pattern "${id}" is a template, not a builder` : `no pattern "${id}" in the library`,
        `pattern:<id> takes a codemod or lint rule: ${usable.join(', ')}`,
      );
    }
    this.pattern = pattern;
    this.options = options;
    resolveOptions(pattern, options); // bad options fail before the run starts
  }

  async run(ctx: AgentContext): Promise<AgentResult> {
    if (ctx.signal.aborted) return { status: 'cancelled', summary: 'cancelled', artifacts: [] };
    const name = `agents/${ctx.role}`;
    const write = (file: string, text: string) => {
      const path = join(ctx.outputDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, ctx.redactor.redact(text));
      return { name: file };
    };
    const id = this.pattern.id;
    let result;
    try {
      result = await applyPattern(this.library, this.pattern, ctx.workdir, { options: this.options });
    } catch (e) {
      const message = `pattern ${id}: ${(e as Error).message}`;
      return {
        status: 'failed',
        summary: message,
        model: null,
        usage: null,
        error: { code: 'AdapterFailed', message },
        artifacts: [write(`${name}.pattern.log`, `${message}\n`)],
      };
    }
    const log = [
      `pattern ${id} ${this.pattern.version} (${this.pattern.kind}): ${result.checked} files checked, ${result.changed.length} changed`,
      ...result.changed.map((f) => `changed  ${f}`),
      ...result.skipped.map(
        (s) => `skipped  ${s.file}${s.line !== undefined ? `:${s.line}:${s.column ?? 1}` : ''}: ${s.message}`,
      ),
      ...result.unfixed.map((u) => `unfixed  ${u.file}:${u.line}:${u.column}: ${u.message}`),
    ];
    for (const line of log) ctx.onEvent({ type: 'pattern', line });
    const artifacts = [
      write(`${name}.pattern.log`, `${log.join('\n')}\n`),
      write(`${name}.pattern.diff`, result.diff),
    ];
    if (result.changed.length === 0) {
      const message = `pattern ${id} made no changes (${result.checked} files checked)`;
      return {
        status: 'failed',
        summary: message,
        model: null,
        usage: null,
        error: { code: 'PatternNotApplied', message },
        artifacts,
      };
    }
    return {
      status: 'succeeded',
      summary: `applied pattern ${id}: ${result.changed.length} file${result.changed.length === 1 ? '' : 's'} changed`,
      model: null,
      usage: null,
      costUsd: null,
      artifacts,
    };
  }
}
