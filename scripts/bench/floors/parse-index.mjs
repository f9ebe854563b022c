// Floor: the least a read command must do with the task index — read it and JSON.parse it.
import { readFileSync } from 'node:fs';

const index = JSON.parse(readFileSync('codex.tasks.json', 'utf8'));
if (!Array.isArray(index.tasks)) process.exit(1);
