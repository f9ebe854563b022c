import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readBlob, readBlobs } from '../../src/git/cat-file.js';
import { gitIn, makeRepo } from '../helpers/temp-repo.js';

const tempFiles = () => readdirSync(tmpdir()).filter((name) => name.startsWith('cxo-git-'));

describe('readBlobs', () => {
  // 150 names: over the count from which git's answer comes through a temp file instead of a pipe
  const files = Object.fromEntries(
    Array.from({ length: 150 }, (_, i) => [`f/${i}.txt`, `content ${i}\n${'x'.repeat(i * 37)}`]),
  );
  const repo = makeRepo({ ...files, 'empty.txt': '' }, { git: true });

  it('reads many blobs by name in one batch, the exact bytes of each; missing names and trees are absent', () => {
    const before = tempFiles();
    const names = [
      ...Object.keys(files).map((f) => `HEAD:${f}`),
      'HEAD:nope.txt',
      'HEAD:f',
      'HEAD:empty.txt',
    ];
    const blobs = readBlobs(repo, names);
    for (const [file, content] of Object.entries(files))
      expect(blobs.get(`HEAD:${file}`)?.toString('utf8')).toBe(content);
    expect(blobs.has('HEAD:nope.txt')).toBe(false);
    expect(blobs.has('HEAD:f')).toBe(false);
    expect(blobs.get('HEAD:empty.txt')?.length).toBe(0);
    expect(blobs.size).toBe(151);
    expect(tempFiles()).toEqual(before);
  });

  it('reads a few through a pipe, with the same answers', () => {
    const id = gitIn(repo, 'rev-parse', 'HEAD:f/3.txt').trim();
    const blobs = readBlobs(repo, [id, 'HEAD:f/4.txt', 'HEAD:missing']);
    expect(blobs.get(id)?.toString('utf8')).toBe(files['f/3.txt']);
    expect(blobs.get('HEAD:f/4.txt')?.toString('utf8')).toBe(files['f/4.txt']);
    expect(blobs.size).toBe(2);
    expect(readBlob(repo, 'HEAD:f/0.txt')?.toString('utf8')).toBe('content 0\n');
  });
});
