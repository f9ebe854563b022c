import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { git } from '../../src/git/git.js';
import { treeWith } from '../../src/git/tree-build.js';
import { gitIn, makeRepo } from '../helpers/temp-repo.js';

it("builds the same tree as git's own index would, whatever the names and modes", () => {
  // names that sort differently as files and as directories, non-ASCII, spaces, an executable
  const dir = makeRepo(
    {
      'a.txt': '1\n',
      'a-b': '2\n',
      'a/x': '3\n',
      'a0/y': '4\n',
      'é.md': '5\n',
      'sp ace/z': '6\n',
      'run.sh': '#!/bin/sh\n',
    },
    { git: true },
  );
  gitIn(dir, 'update-index', '--chmod=+x', 'run.sh');
  gitIn(dir, 'commit', '-qm', 'x bit');
  const blob = (text: string) => git(dir, ['hash-object', '-w', '--stdin'], { input: text }).stdout.trim();
  const changes = new Map([
    ['a/y', { mode: '100644', blob: blob('new\n') }],
    ['a.b', { mode: '100644', blob: blob('dot\n') }],
    ['new/deep/file', { mode: '100755', blob: blob('deep\n') }],
    ['é.md', { mode: '100644', blob: blob('changed\n') }],
  ]);
  const head = gitIn(dir, 'rev-parse', 'HEAD^{tree}').trim();
  const previous = new Map();
  const ours = treeWith(dir, head, changes, { previous });

  const env = { ...process.env, GIT_INDEX_FILE: join(mkdtempSync(join(tmpdir(), 'cxo-idx-')), 'index') };
  git(dir, ['read-tree', head], { env });
  const info = [...changes].map(([path, e]) => `${e.mode} ${e.blob}\t${path}\n`).join('');
  git(dir, ['update-index', '--add', '--index-info'], { env, input: info });
  expect(ours).toBe(git(dir, ['write-tree'], { env }).stdout.trim());
  expect(gitIn(dir, 'cat-file', '-t', ours).trim()).toBe('tree');
  // what each changed path held before: the old blob, or nothing
  expect(previous.get('é.md')).toMatchObject({ mode: '100644' });
  expect(previous.get('a/y')).toBeNull();
  expect(previous.get('new/deep/file')).toBeNull();
});
