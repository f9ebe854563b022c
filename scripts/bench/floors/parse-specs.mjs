// Floor: the least `validate` must do with the specs — read every specs/*.md and parse each
// front matter block with the `yaml` package (the one the orchestrator uses).
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

let count = 0;
for (const name of readdirSync('specs')) {
  if (!name.endsWith('.md')) continue;
  const text = readFileSync(`specs/${name}`, 'utf8');
  if (!text.startsWith('---\n')) process.exit(1);
  const end = text.indexOf('\n---\n', 4);
  if (end === -1) process.exit(1);
  const data = parse(text.slice(4, end + 1));
  if (typeof data?.id !== 'string') process.exit(1);
  count++;
}
if (count === 0) process.exit(1);
