/** One record of git's raw diff format (`git diff --raw -z`, `git diff-tree -r -z`). */
export interface RawDiffRecord {
  path: string;
  /** The new mode (`000000` for a deletion; `120000` is a symlink). */
  mode: string;
  /** The new object id (all zeros for a deletion). */
  id: string;
  /** `A`, `M`, `D`, `T`… (no renames: diffs are asked with `--no-renames`). */
  status: string;
}

/**
 * The records of raw diff output with `-z`: `:<old mode> <new mode> <old id> <new id> <status>`,
 * then the path, NUL-separated. Ids must be full (`--no-abbrev`; diff-tree's are).
 */
export function parseRawDiff(out: string): RawDiffRecord[] {
  const fields = out.split('\0');
  const records: RawDiffRecord[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const m = /^:\d+ (\d+) [0-9a-f]+ ([0-9a-f]+) (\w)/.exec(fields[i]);
    if (m) records.push({ path: fields[i + 1], mode: m[1], id: m[2], status: m[3] });
  }
  return records;
}
