import type { CommandHandler } from '../command-table.js';
import { openLibrary } from '../open-library.js';

const patternsList: CommandHandler = async ({ options, out }) => {
  const library = openLibrary(options);
  if (options.json) {
    out.json({ library: library.dir, patterns: library.patterns });
    return 0;
  }
  const width = Math.max(...library.patterns.map((p) => p.id.length), 2);
  for (const p of library.patterns) {
    out.line(
      `${out.bold(p.id.padEnd(width))}  ${p.kind.padEnd(9)}  ${p.version.padEnd(6)}  ${p.description}`,
    );
  }
  out.line(
    out.dim(`\n${library.patterns.length} patterns; cxo patterns show ID, cxo patterns apply ID --dry-run`),
  );
  return 0;
};
export default patternsList;
