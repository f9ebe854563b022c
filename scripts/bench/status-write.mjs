// One task status change through the orchestrator's own writer (the one status write-back uses):
// load the index, set the task's status block, validate and write atomically.
// Usage: node scripts/bench/status-write.mjs TASK_ID PHASE  (in the repository to change)
import { defaultConfig, loadTaskIndex, setTaskStatus, writeTaskIndex } from '../../dist/index.js';

const [id, phase] = process.argv.slice(2);
const root = process.cwd();
const { index } = loadTaskIndex(root, defaultConfig(), 'full');
const current = index.byId.get(id)?.status ?? {};
writeTaskIndex(
  root,
  index,
  setTaskStatus(index, id, { ...current, phase, updatedAt: new Date().toISOString() }),
);
