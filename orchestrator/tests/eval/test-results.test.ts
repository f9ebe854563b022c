import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTap, parseTape } from '../../src/eval/test-results.js';
import { makeRepo } from '../helpers/temp-repo.js';

/** Real tape 5 output (minimist 1.2.8 with --no-KEY broken), cut to the interesting parts. */
const TAPE = `TAP version 13
# flag boolean true (default all --args to boolean)
ok 1 should be deeply equivalent
ok 2 should be deeply equivalent
# parse with modifier functions
ok 67 should be deeply equivalent
# parse args
not ok 68 no
  ---
    operator: deepEqual
    expected: |-
      { moo: false, _: [] }
    actual: |-
      { _: [], moo: true }
    at: Test.<anonymous> (test/parse.js:7:4)
  ...
ok 69 multi
# comprehensive
not ok 70 should be deeply equivalent
  ---
    operator: deepEqual
  ...
# symbols
ok 71 should be strictly equal
# no assertions at all
# symbols
ok 72 should be strictly equal # SKIP not on this platform
# whitespace should be whitespace
ok 153 should be strictly equal

1..153
# tests 153
# pass  151
# fail  2
`;

describe('tape', () => {
  it('groups assertions under their # test name; a test passes when all its assertions pass', () => {
    const r = parseTape(TAPE);
    expect(Object.fromEntries(r)).toEqual({
      'flag boolean true (default all --args to boolean)': 'pass',
      'parse with modifier functions': 'pass',
      'parse args': 'fail',
      comprehensive: 'fail',
      symbols: 'pass',
      'no assertions at all': 'pass',
      'whitespace should be whitespace': 'pass',
    });
  });

  it('a name used twice fails when either test fails; the summary is not a test', () => {
    const r = parseTape(
      'TAP version 13\n# same\nok 1 a\n# same\nnot ok 2 b\n\n1..2\n# tests 2\n# pass  1\n# fail  1\n',
    );
    expect(Object.fromEntries(r)).toEqual({ same: 'fail' });
    expect(parseTape('TAP version 13\n\n1..0\n# tests 0\n# pass  0\n\n# ok\n').size).toBe(0);
  });
});

describe('tap (node --test --test-reporter=tap)', () => {
  it('reads real node:test output: nested tests are "parent > child", skips and todos', () => {
    const dir = makeRepo({
      'test/a.test.js': [
        "const { describe, it, test } = require('node:test');",
        "const assert = require('node:assert');",
        "describe('outer', () => {",
        "  it('passes', () => {});",
        "  it('fails', () => assert.equal(1, 2));",
        "  describe('inner', () => { it('deep # with a hash', () => {}); });",
        '});',
        "test('top level', () => {});",
        "test('skipped', { skip: 'not today' }, () => {});",
        "test('todo failing', { todo: true }, () => { throw new Error('x'); });",
        '',
      ].join('\n'),
    });
    const out = spawnSync(process.execPath, ['--test', '--test-reporter=tap', join(dir, 'test/a.test.js')], {
      encoding: 'utf8',
    }).stdout;
    const r = parseTap(out);
    expect(r.get('outer > passes')).toBe('pass');
    expect(r.get('outer > fails')).toBe('fail');
    expect(r.get('outer > inner > deep # with a hash')).toBe('pass');
    expect(r.get('outer > inner')).toBe('pass');
    expect(r.get('outer')).toBe('fail');
    expect(r.get('top level')).toBe('pass');
    expect(r.get('skipped')).toBe('skip');
    expect(r.get('todo failing')).toBe('pass');
  });

  it('plain TAP: "ok N - name" lines, with or without the dash', () => {
    const r = parseTap('TAP version 13\nok 1 - first\nnot ok 2 second\nok 3 - third # TODO later\n1..3\n');
    expect(Object.fromEntries(r)).toEqual({ first: 'pass', second: 'fail', third: 'pass' });
  });
});
