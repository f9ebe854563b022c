import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitIn, makeRepo } from './temp-repo.js';

/**
 * A bare remote seeded with `files` (one commit), in a temporary directory, and a way to make
 * clones of it beside it, each with a git identity of its own config.
 */
export function sharedRemote(files: Record<string, string>, prefix = 'cxo-remote-') {
  const seed = makeRepo(files, { git: true });
  const base = mkdtempSync(join(tmpdir(), prefix));
  const bare = join(base, 'remote.git');
  gitIn(base, 'clone', '-q', '--bare', seed, bare);
  const clone = (name: string) => {
    const dir = join(base, name);
    gitIn(base, 'clone', '-q', bare, dir);
    gitIn(dir, 'config', 'user.name', 'Test Person');
    gitIn(dir, 'config', 'user.email', 'test@example.com');
    gitIn(dir, 'config', 'commit.gpgsign', 'false');
    return dir;
  };
  return { seed, base, bare, clone };
}
