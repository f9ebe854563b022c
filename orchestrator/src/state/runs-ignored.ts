const RUNS_LINE = '.runs/';

/** The `.gitignore` text with a line ignoring `.runs/` (unchanged when one does already). */
export function withRunsIgnored(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => l === '.runs/' || l === '.runs' || l === '/.runs/' || l === '/.runs')) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${sep}${RUNS_LINE}${eol}`;
}
