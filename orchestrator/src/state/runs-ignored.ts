import { withLineAppended } from '../repo/append-line.js';

const RUNS_LINE = '.runs/';

/** The `.gitignore` text with a line ignoring `.runs/` (unchanged when one does already). */
export function withRunsIgnored(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => l === '.runs/' || l === '.runs' || l === '/.runs/' || l === '/.runs')) return text;
  return withLineAppended(text, RUNS_LINE);
}
