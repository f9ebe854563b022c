import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, diagnostic } from '../repo/diagnostics.js';
import { gitDirOf } from '../repo/git-dir.js';
import { mergeDriverCommand, TASK_INDEX_MERGE_DRIVER } from './merge-driver-command.js';
import { git } from './git.js';

/**
 * The git config that lets git run `cxo merge-driver` for the task index. It lives in the clone's
 * own .git/config, never in a committed file, so it may name this machine's paths: the running
 * Node and this package's CLI entry, by absolute path. That starts whatever installed cxo (npm,
 * pnpm, a global prefix, a checkout), where `npx --no-install cxo` starts only what npm knows.
 */
export const MERGE_DRIVER_KEY = `merge.${TASK_INDEX_MERGE_DRIVER}.driver`;
const NAME_KEY = `merge.${TASK_INDEX_MERGE_DRIVER}.name`;
const NAME = 'codex-orchestrator task index';
/** The `.gitattributes` value that routes a file through the driver. */
export const MERGE_ATTRIBUTE = `merge=${TASK_INDEX_MERGE_DRIVER}`;
/** What `cxo init` registered before: it fails unless npm itself can find the install. */
const LEGACY_COMMAND = 'npx --no-install cxo merge-driver %O %A %B';
const ARGS = 'merge-driver %O %A %B';

/** The program and script of a command in our form; undefined for any other command. */
export function parseMergeDriverCommand(command: string): { node: string; cli: string } | undefined {
  const quoted = String.raw`'((?:[^']|'\\'')*)'`;
  const m = new RegExp(`^${quoted} ${quoted} ${ARGS}$`).exec(command.trim());
  return m ? { node: shellUnquote(m[1]), cli: shellUnquote(m[2]) } : undefined;
}

/**
 * Why a registered driver command cannot start, or undefined when it can. Nothing is run: the
 * command must be in our form, its Node an executable file and its script a readable file.
 */
export function mergeDriverProblem(command: string): string | undefined {
  if (command.trim() === LEGACY_COMMAND)
    return 'it is the old `npx --no-install cxo` form, which starts only where npm knows the install';
  const parsed = parseMergeDriverCommand(command);
  if (!parsed)
    return "it is not cxo's form (`'NODE' 'CLI' merge-driver %O %A %B`), so cxo cannot tell whether it starts";
  const file = (path: string, mode: number, what: string) => {
    try {
      if (!statSync(path).isFile()) return `${what} ${path} is not a file`;
      accessSync(path, mode);
      return undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? `${what} ${path} does not exist`
        : `${what} ${path} cannot be used (${code})`;
    }
  };
  return file(parsed.node, constants.X_OK, 'its node') ?? file(parsed.cli, constants.R_OK, 'its script');
}

export type Registration = 'registered' | 'already registered' | 're-registered' | 'kept: not ours';

/**
 * Registers the driver in the clone's git config. Idempotent: a registered command that is ours
 * and can start is kept (another install of cxo is as good); a missing, old or broken one is
 * replaced; someone's own command of another form is left alone.
 */
export function registerMergeDriver(root: string): Registration {
  const current = configValue(root, MERGE_DRIVER_KEY, '--local');
  let result: Registration = 'already registered';
  if (current === undefined) result = 'registered';
  else if (mergeDriverProblem(current)) {
    if (current.trim() !== LEGACY_COMMAND && !parseMergeDriverCommand(current)) return 'kept: not ours';
    result = 're-registered';
  }
  if (result !== 'already registered')
    git(root, ['config', '--local', MERGE_DRIVER_KEY, mergeDriverCommand()]);
  if (configValue(root, NAME_KEY, '--local') !== NAME) {
    git(root, ['config', '--local', NAME_KEY, NAME]);
    if (result === 'already registered') result = 'registered';
  }
  return result;
}

/**
 * For `cxo validate`: a warning at the `.gitattributes` line that routes files through the driver
 * when git has no driver registered for it, or one that cannot start. Reads git config only.
 */
export function mergeDriverDiagnostics(root: string): Diagnostic[] {
  if (!gitDirOf(root)) return [];
  let attributes: string;
  try {
    attributes = readFileSync(join(root, '.gitattributes'), 'utf8');
  } catch {
    return [];
  }
  const lines = attributes.split('\n');
  const at = lines.findIndex((l) => l.split(/\s+/).includes(MERGE_ATTRIBUTE));
  if (at < 0) return [];
  const registered = configValue(root, MERGE_DRIVER_KEY);
  const problem =
    registered === undefined
      ? `git has no ${MERGE_DRIVER_KEY} registered`
      : mergeDriverProblem(registered) &&
        `${MERGE_DRIVER_KEY} cannot start: ${mergeDriverProblem(registered)}`;
  if (!problem) return [];
  const sourceLine = lines[at].replace(/\r$/, '');
  return [
    diagnostic(
      'warning',
      'merge-driver',
      `${problem}; git merges the task index with conflict markers instead`,
      { file: '.gitattributes', line: at + 1, column: sourceLine.indexOf(MERGE_ATTRIBUTE) + 1 },
      { sourceLine, hint: 'run `cxo init` to register this cxo as the merge driver' },
    ),
  ];
}

/**
 * The value the repository's and the user's config files give `key`. The command scope is left
 * out: there the hardened git runner pins our own driver, which would hide what is registered.
 */
function configValue(root: string, key: string, scope?: '--local'): string | undefined {
  const r = git(root, ['config', ...(scope ? [scope] : []), '--show-scope', '-z', '--get-all', key], {
    allowFail: true,
  });
  if (r.status !== 0) return undefined;
  // -z: scope and value, each ended by a NUL
  const fields = r.stdout.split('\0');
  let value: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] !== 'command') value = fields[i + 1];
  return value;
}

function shellUnquote(s: string): string {
  return s.replace(/'\\''/g, "'");
}
