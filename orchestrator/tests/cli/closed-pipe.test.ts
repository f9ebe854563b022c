import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/temp-repo.js';

describe('output into a closed pipe', () => {
  it('ends quietly when the reader stops early, as `cxo ... | head -1` does', async () => {
    const child = spawn(process.execPath, [CLI, 'patterns', 'show', 'prefer-node-protocol'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    // the reader is gone before the first line: every write fails with EPIPE
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
