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
  const leaks = addedSecrets(input.patch, input.secrets);
  for (const leak of leaks) {
    findings.push({
      file: leak.file,
      line: leak.line,
      severity: 'error',
      message: 'an added line contains a secret (token, key or private key)',
    });
  }
  const secretLeak = leaks.length > 0;
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

/**
 * The secrets in the patch's added lines, with the file and line where each starts. Consecutive
 * added lines are searched together, so a value split over several of them is found too.
 */
function addedSecrets(patch: string, secrets: Redactor): { file: string | null; line: number }[] {
  const found: { file: string | null; line: number }[] = [];
  let file: string | null = null;
  let line = 0;
  // the run of consecutive added lines being collected, and the line number each starts at
  let block: string[] = [];
  let blockLines: number[] = [];
  const flush = () => {
    if (block.length === 0) return;
    const text = block.join('\n');
    const starts: number[] = [];
    for (let i = 0, at = 0; i < block.length; at += block[i].length + 1, i++) starts.push(at);
    const reported = new Set<number>();
    for (const match of secrets.find(text)) {
      let i = starts.length - 1;
      while (starts[i] > match.index) i--;
      if (reported.has(i)) continue;
      reported.add(i);
      found.push({ file, line: blockLines[i] });
    }
    block = [];
    blockLines = [];
  };
  for (const text of patch.split('\n')) {
    if (text.startsWith('+') && !text.startsWith('+++ ')) {
      block.push(text.slice(1));
      blockLines.push(line++);
      continue;
    }
    flush();
    if (text.startsWith('+++ ')) {
      file = text === '+++ /dev/null' ? null : text.slice(6);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(text);
    if (hunk) line = Number(hunk[1]);
    else if (!text.startsWith('-')) line++;
  }
  flush();
  return found;
}
