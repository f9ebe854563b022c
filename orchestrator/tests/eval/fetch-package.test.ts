import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { extractPackage, fetchPackage } from '../../src/eval/fetch-package.js';

// needs the npm registry (reachable here and in CI); one small package
it('npm pack into the cache, reused while its integrity matches, fetched again when damaged', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'cxo-eval-cache-'));
  const first = await fetchPackage('minimist@1.2.8', { cacheDir });
  expect(first).toMatchObject({ cached: false, integrity: expect.stringMatching(/^sha512-/) });
  expect(readdirSync(cacheDir).sort()).toEqual(['minimist-1.2.8.json', 'minimist-1.2.8.tgz']);
  expect((await fetchPackage('minimist@1.2.8', { cacheDir })).cached).toBe(true);

  writeFileSync(first.tarball, 'not the tarball');
  const again = await fetchPackage('minimist@1.2.8', { cacheDir });
  expect(again).toMatchObject({ cached: false, integrity: first.integrity });

  const dir = join(mkdtempSync(join(tmpdir(), 'cxo-eval-x-')), 'repo');
  await extractPackage(again.tarball, dir);
  expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe('1.2.8');
  expect(existsSync(join(dir, 'test/parse.js'))).toBe(true);
}, 60_000);

it('a package that does not exist is a clear error', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'cxo-eval-cache-'));
  await expect(fetchPackage('cxo-eval-no-such-package-k3f9q@1.0.0', { cacheDir })).rejects.toThrow(
    /^npm pack cxo-eval-no-such-package-k3f9q@1\.0\.0 failed: .*(404|not found)/i,
  );
}, 60_000);
