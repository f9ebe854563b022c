import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git } from '../git/git.js';
import { actorName } from '../git/person.js';
import type { Override, Violation } from '../guard/types.js';

export const OVERRIDE_TRAILER = 'Spec-Guard-Override';
export const OVERRIDE_LOG = '.runs/guard/overrides.jsonl';

/**
 * Finds an override, in order: the --override flag, a `Spec-Guard-Override: REASON` trailer on
 * the head commit, or a configured label on the pull request GitHub is running for.
 */
export function findOverride(
  root: string,
  options: { flag?: string; head?: string; labels: readonly string[]; env: NodeJS.ProcessEnv; now: Date },
): Override | undefined {
  const at = options.now.toISOString();
  const by = actorName(root, options.env);
  if (options.flag?.trim()) return { reason: options.flag.trim(), by, at, source: 'flag' };
  const trailer = commitTrailer(root, options.head ?? 'HEAD');
  if (trailer) return { reason: trailer, by, at, source: 'trailer' };
  const label = prLabel(options.env, options.labels);
  if (label) return { reason: `pull request label "${label}"`, by, at, source: 'label' };
  return undefined;
}

/** The value of the override trailer on a commit (git's own trailer parser), if any. */
export function commitTrailer(root: string, ref: string): string | undefined {
  const r = git(
    root,
    ['log', '-1', `--format=%(trailers:key=${OVERRIDE_TRAILER},valueonly,separator=%x00)`, ref],
    { allowFail: true },
  );
  if (r.status !== 0) return undefined;
  const value = r.stdout.split('\0')[0]?.trim();
  return value || undefined;
}

function prLabel(env: NodeJS.ProcessEnv, labels: readonly string[]): string | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return undefined;
  try {
    const event = JSON.parse(readFileSync(path, 'utf8')) as {
      pull_request?: { labels?: { name?: string }[] };
    };
    return event.pull_request?.labels?.map((l) => l.name ?? '').find((name) => labels.includes(name));
  } catch {
    return undefined;
  }
}

/** Appends the audit record of an override: who, when, why, and what it let through. */
export function recordOverride(
  root: string,
  override: Override,
  violations: readonly Violation[],
  head?: string,
): void {
  const file = join(root, OVERRIDE_LOG);
  mkdirSync(dirname(file), { recursive: true });
  const record = {
    ...override,
    head: head ?? null,
    violations: violations.map((v) => ({
      rule: v.rule,
      file: v.file,
      line: v.line ?? null,
      message: v.message,
    })),
  };
  // one line per record, appended with O_APPEND so concurrent guards do not interleave records
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}
