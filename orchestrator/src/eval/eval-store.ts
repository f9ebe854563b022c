/**
 * Where evaluations are kept: `.runs/eval/<eval-id>/` with report.json, report.md and one directory
 * per scenario. Runs live in `.runs/<task>/<run>/manifest.json` and a task may be called `eval`, so
 * nothing here is ever named manifest.json at that depth, and eval ids (`eval-<UTC time>-<random>`)
 * start with letters where run ids start with digits.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NotFoundError, UsageError } from '../errors.js';
import { type EvalReport, isEvalReport } from './report.js';

export const EVAL_DIR = '.runs/eval';
const EVAL_ID = /^eval-\d{8}T\d{6}Z-[0-9a-z]{6}$/;

/** `eval-20261121T093000Z-k3f9qa`: sortable by start time, unique by its random tail. */
export function newEvalId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  return `eval-${stamp}-${[...randomBytes(6)].map((b) => alphabet[b & 31]).join('')}`;
}

export function isEvalId(id: string): boolean {
  return EVAL_ID.test(id);
}

/** Stored evaluations with a report, oldest first. */
export function listEvaluations(root: string): string[] {
  const base = join(root, EVAL_DIR);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((id) => isEvalId(id) && existsSync(join(base, id, 'report.json')))
    .sort();
}

/**
 * A stored report: an eval id (or a unique prefix), a report.json path or a directory holding one;
 * the latest evaluation without a reference.
 */
export function readReport(root: string, cwd: string, ref?: string): { report: EvalReport; path: string } {
  let path: string;
  if (!ref) {
    const latest = listEvaluations(root).at(-1);
    if (!latest) throw new NotFoundError('no stored evaluation', 'run one with `cxo eval run`');
    path = join(root, EVAL_DIR, latest, 'report.json');
  } else if (existsSync(resolve(cwd, ref))) {
    path = resolve(cwd, ref);
    if (statSync(path).isDirectory()) path = join(path, 'report.json');
  } else {
    const ids = listEvaluations(root).filter((id) => id.startsWith(ref));
    if (ids.length !== 1)
      throw new NotFoundError(
        ids.length ? `"${ref}" names ${ids.length} evaluations` : `no evaluation or file "${ref}"`,
        'give an eval id from .runs/eval/, or the path of a report.json',
      );
    path = join(root, EVAL_DIR, ids[0], 'report.json');
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the report ${ref ?? path}: ${(e as Error).message}`);
  }
  if (!isEvalReport(value))
    throw new UsageError(`${ref ?? path} is not an evaluation report (report.json of cxo eval run)`);
  return { report: value, path };
}
