import picomatch from 'picomatch';
import type { Redactor } from './redaction.js';

export interface Finding {
  /** A stable name for the kind of finding, for those a run's integrity rests on (`SymlinkEscape`, ...). */
  code?: string;
  file: string | null;
  line: number | null;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface StaticReviewInput {
  /** Unified diff of the run (git diff base..head). */
  patch: string;
  files: string[];
  /** Sizes of the changed files in the worktree (missing for deletions). */
  sizes: Map<string, number>;
  /** Globs the task may change (task.paths) and the spec governs (covers); empty means no limit. */
  taskPaths: string[];
  specCovers: string[];
  maxFileBytes: number;
  /** A redactor over built-in secret patterns and the environment's secret values. */
  secrets: Redactor;
}

/**
 * The reviewer's checks on the diff, which need no model: secrets in added lines, files outside
 * the task's `paths` or the spec's `covers`, and files over the size limit.
 */
export function staticReview(input: StaticReviewInput): { findings: Finding[]; secretLeak: boolean } {
  const findings: Finding[] = [];
  let secretLeak = false;
  let file: string | null = null;
  let line = 0;
  for (const text of input.patch.split('\n')) {
    if (text.startsWith('+++ ')) {
      file = text === '+++ /dev/null' ? null : text.slice(6);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (text.startsWith('+')) {
      const before = input.secrets.count;
      input.secrets.redact(text.slice(1));
      if (input.secrets.count > before) {
        secretLeak = true;
        findings.push({
          file,
          line,
          severity: 'error',
          message: 'an added line contains a secret (token, key or private key)',
        });
      }
      line++;
    } else if (!text.startsWith('-')) line++;
  }
  const allowed = [
    ['task paths', input.taskPaths],
    ['spec covers', input.specCovers],
  ] as const;
  for (const [what, globs] of allowed) {
    if (globs.length === 0) continue;
    const isMatch = picomatch(globs as string[], { dot: true });
    for (const f of input.files) {
      if (!isMatch(f))
        findings.push({
          file: f,
          line: null,
          severity: 'error',
          message: `changed file is outside the ${what} (${globs.join(', ')})`,
        });
    }
  }
  for (const [f, bytes] of input.sizes) {
    if (bytes > input.maxFileBytes) {
      findings.push({
        file: f,
        line: null,
        severity: 'error',
        message: `file is ${bytes} bytes, over the ${input.maxFileBytes}-byte limit`,
      });
    }
  }
  return { findings, secretLeak };
}
