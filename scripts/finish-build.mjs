// Makes the CLI entry executable after tsc (npm sets the mode on install; this is for `dist/` in a checkout).
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
