import { describe, expect, it } from 'vitest';
import { cxo, makeRepo } from '../helpers/temp-repo.js';

// valid for JSON.parse (the last "title" wins), so only the full parse's duplicate-key scan sees it
const DUPLICATE_KEY_INDEX = `{
  "version": 1,
  "tasks": [
    { "id": "a", "title": "A", "title": "B" }
  ]
}
`;

describe('the parse cache keys on the checks that were done', () => {
  it('a read command caches its fast parse; validate and guard still report the duplicate key', () => {
    const dir = makeRepo({ 'codex.tasks.json': DUPLICATE_KEY_INDEX }, { git: true });
    const list = cxo(dir, ['tasks', 'list']);
    expect(list.code).toBe(0); // the fast parse does not look for duplicate keys
    expect(cxo(dir, ['tasks', 'list']).code).toBe(0); // and answers from the cache now
    const validate = cxo(dir, ['validate']);
    expect(validate.stderr).toMatch(/codex\.tasks\.json:4:32: error\[duplicate-key\]: duplicate key "title"/);
    expect(validate.code).toBe(1);
    const guard = cxo(dir, ['guard', '--now', '2026-11-21']);
    expect(guard.stdout).toMatch(/codex\.tasks\.json:4:32: error.*duplicate key "title"/);
    expect(guard.code).toBe(1);
  });

  it('a full check answers for a later fast one', () => {
    const dir = makeRepo(
      { 'codex.tasks.json': DUPLICATE_KEY_INDEX.replace(', "title": "B"', '') },
      { git: true },
    );
    expect(cxo(dir, ['validate']).code).toBe(0);
    expect(cxo(dir, ['tasks', 'list']).stdout).toMatch(/\ba\b/);
  });
});
