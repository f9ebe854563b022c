// Floor: the least a warm guard must do — start Node and read every file the guard looks at: the
// task index, every spec, and every run manifest (reading is how it knows nothing changed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let bytes = readFileSync('codex.tasks.json').length;
for (const name of readdirSync('specs'))
  if (name.endsWith('.md')) bytes += readFileSync(`specs/${name}`).length;
if (existsSync('.runs')) {
  for (const task of readdirSync('.runs')) {
    for (const run of readdirSync(`.runs/${task}`)) {
      const manifest = `.runs/${task}/${run}/manifest.json`;
      if (existsSync(manifest)) bytes += readFileSync(manifest).length;
    }
  }
}
if (bytes === 0) process.exit(1);
