/**
 * What keeps every git process the orchestrator starts from running a program the repository
 * controls (docs/runs.md, "Trust boundaries"). A builder can write the repository's own git config
 * (`git rev-parse --git-common-dir`), its hooks and attributes; git would run what they name on
 * our next `status`, `commit` or `merge`. So each call gets:
 * - fixed settings: no hooks, no fsmonitor, no pager or editor, no `ext::` transport, no
 *   submodule recursion, and our own task-index merge driver;
 * - for every key of the repository's local config (and the files it includes) that names a
 *   program, a command-scope override: filters, merge and diff drivers emptied or made to fail,
 *   credential helpers and ssh/gpg programs taken from the user's own (global, system) config;
 * - an environment without inherited variables that point git elsewhere (GIT_DIR, ...).
 * Overrides go through GIT_CONFIG_COUNT/KEY/VALUE: command scope, read after every config file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { mergeDriverCommand, TASK_INDEX_MERGE_DRIVER } from './merge-driver-command.js';

type Pair = [key: string, value: string];

/** Settings every call gets, whatever any config says. */
function fixedSettings(): Pair[] {
  return [
    ['core.hooksPath', '/dev/null'],
    ['core.fsmonitor', 'false'],
    ['core.pager', 'cat'],
    ['core.editor', 'true'],
    ['sequence.editor', 'true'],
    ['protocol.ext.allow', 'never'],
    ['submodule.recurse', 'false'],
    ['fetch.recurseSubmodules', 'false'],
    ['push.recurseSubmodules', 'no'],
    [`merge.${TASK_INDEX_MERGE_DRIVER}.name`, 'codex-orchestrator task index'],
    [`merge.${TASK_INDEX_MERGE_DRIVER}.driver`, mergeDriverCommand()],
  ];
}

/** Environment the runner sets itself. */
const FIXED_ENV = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  GIT_EDITOR: 'true',
  GIT_SEQUENCE_EDITOR: 'true',
};

/**
 * Inherited variables that make git use another repository, index, object store, config or
 * program than the one the call means (a `cxo` started from a git hook has GIT_DIR and
 * GIT_INDEX_FILE set, for one). What selects the user's own config (GIT_CONFIG_GLOBAL), their
 * ssh, proxy and TLS settings stays; so do their GIT_CONFIG_COUNT pairs, re-added under our own
 * (inheritedSettings).
 */
const REDIRECTING = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_EXEC_PATH',
  'GIT_TEMPLATE_DIR',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_EXTERNAL_DIFF',
  'GIT_DIFF_OPTS',
  'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE',
  'GIT_REPLACE_REF_BASE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_QUARANTINE_PATH',
  'GIT_PREFIX',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_SUPER_PREFIX',
  'GIT_ATTR_SOURCE',
  'GIT_LITERAL_PATHSPECS',
  'GIT_GLOB_PATHSPECS',
  'GIT_NOGLOB_PATHSPECS',
  'GIT_ICASE_PATHSPECS',
]);
const isRedirecting = (name: string) =>
  REDIRECTING.has(name) ||
  name.startsWith('GIT_CONFIG_KEY_') ||
  name.startsWith('GIT_CONFIG_VALUE_') ||
  name in FIXED_ENV;

/** The arguments and environment of one git call in `cwd`. */
export function hardenedInvocation(
  cwd: string,
  args: string[],
  base: NodeJS.ProcessEnv,
  set: Readonly<Record<string, string>> = {},
): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!isRedirecting(name)) env[name] = value;
  Object.assign(env, FIXED_ENV, set);
  const local = localOverrides(cwd, env);
  return {
    args: hardenedArgs(args, local.transport),
    env: {
      ...withSettings(env, [...inheritedSettings(base), ...fixedSettings(), ...local.pairs]),
      ...local.env,
    },
  };
}

/**
 * Command-scope settings the person running cxo set in its environment (GIT_CONFIG_COUNT/KEY/VALUE:
 * a signing key, a CI's credentials). They are the user's, not the repository's, so they are kept,
 * placed before ours so that ours win where both name a key.
 */
function inheritedSettings(base: NodeJS.ProcessEnv): Pair[] {
  const count = Number(base.GIT_CONFIG_COUNT);
  if (!Number.isInteger(count) || count <= 0) return [];
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const key = base[`GIT_CONFIG_KEY_${i}`];
    if (key) pairs.push([key, base[`GIT_CONFIG_VALUE_${i}`] ?? '']);
  }
  return pairs;
}

/** `env` with `pairs` as command-scope config (duplicates dropped, order kept). */
function withSettings(env: NodeJS.ProcessEnv, pairs: Pair[]): NodeJS.ProcessEnv {
  const seen = new Set<string>();
  const unique = pairs.filter(([k, v]) => !seen.has(`${k}\0${v}`) && seen.add(`${k}\0${v}`));
  const out: NodeJS.ProcessEnv = { ...env, GIT_CONFIG_COUNT: String(unique.length) };
  unique.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${i}`] = key;
    out[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return out;
}

/** Commands that take diffs: never through an external diff program or a textconv filter. */
const DIFFING = new Set(['diff', 'log', 'show']);
const FETCHING = new Set(['fetch', 'ls-remote', 'pull', 'clone']);

/** `args` with the options that pin what a subcommand would otherwise take from the config. */
function hardenedArgs(args: string[], transport: Overrides['transport']): string[] {
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) i += args[i] === '-c' || args[i] === '-C' ? 2 : 1;
  const pinned = DIFFING.has(args[i])
    ? ['--no-ext-diff', '--no-textconv']
    : FETCHING.has(args[i])
      ? transport.fetch
      : args[i] === 'push'
        ? transport.push
        : [];
  return pinned.length ? [...args.slice(0, i + 1), ...pinned, ...args.slice(i + 1)] : args;
}

interface Overrides {
  pairs: Pair[];
  env: Record<string, string>;
  /** Options for transport commands: `remote.<name>.uploadpack`/`receivepack` keep their first value. */
  transport: { fetch: string[]; push: string[] };
}

interface CacheEntry {
  /** Every config file read (or looked for), with what it looked like then. */
  files: { path: string; stamp: string }[];
  overrides: Overrides;
}

const NONE: Overrides = { pairs: [], env: {}, transport: { fetch: [], push: [] } };

/** Per git directory; valid while none of its config files (nor what they include) changed. */
const cache = new Map<string, CacheEntry>();

/** The overrides for the repository around `cwd`'s local config; none outside a repository. */
function localOverrides(cwd: string, env: NodeJS.ProcessEnv): Overrides {
  const found = findGitDir(cwd);
  if (!found) return NONE;
  const cached = cache.get(found.gitDir);
  if (cached && cached.files.every((f) => stampOf(f.path) === f.stamp)) return cached.overrides;
  const files: CacheEntry['files'] = [];
  const entries: Pair[] = [];
  const roots = [join(found.commonDir, 'config'), join(found.commonDir, 'config.worktree')];
  if (found.gitDir !== found.commonDir) roots.push(join(found.gitDir, 'config.worktree'));
  for (const file of roots) readConfigFile(file, env, files, entries, 0);
  const overrides = overridesFor(
    entries.map(([key]) => key),
    found.topLevel,
    cwd,
    env,
  );
  cache.set(found.gitDir, { files, overrides });
  return overrides;
}

/** A file's identity and last change, or `-` when it does not exist. */
function stampOf(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return '-';
  }
}

/**
 * The entries of one config file and, recursively, of every file it includes, whether or not an
 * `includeIf` condition holds now (a branch switch would make it hold without any file changing).
 * Reading config runs nothing.
 */
function readConfigFile(
  file: string,
  env: NodeJS.ProcessEnv,
  files: CacheEntry['files'],
  entries: Pair[],
  depth: number,
): void {
  if (depth > 10 || files.some((f) => f.path === file)) return;
  const stamp = stampOf(file);
  files.push({ path: file, stamp });
  if (stamp === '-') return;
  let own = fileCache.get(file);
  if (own?.stamp !== stamp) {
    own = { stamp, entries: listConfigFile(file, env) };
    fileCache.set(file, own);
  }
  for (const [key, value] of own.entries) {
    entries.push([key, value]);
    if (/^include(if\..*)?\.path$/i.test(key) && value)
      readConfigFile(includeTarget(value, file, env), env, files, entries, depth + 1);
  }
}

/** One config file's own entries (a worktree and its main checkout share one config). */
const fileCache = new Map<string, { stamp: string; entries: Pair[] }>();

function listConfigFile(file: string, env: NodeJS.ProcessEnv): Pair[] {
  const r = spawnSync('git', ['config', '--file', file, '--no-includes', '--list', '-z'], {
    cwd: dirname(file),
    env: withSettings(env, fixedSettings()),
    encoding: 'utf8',
  });
  // a config git cannot parse makes every git call fail anyway
  if (r.status !== 0) return [];
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((record) => {
      const nl = record.indexOf('\n');
      return nl < 0 ? [record, ''] : [record.slice(0, nl), record.slice(nl + 1)];
    });
}

/** Where an include path points: relative to the including file, `~/` the home directory. */
function includeTarget(value: string, from: string, env: NodeJS.ProcessEnv): string {
  if (value.startsWith('~/')) return join(env.HOME || homedir(), value.slice(2));
  return isAbsolute(value) ? value : resolve(dirname(from), value);
}

/** A key's section and name (lower case, as git lists them) and its subsection (as written). */
function splitKey(key: string): { section: string; sub: string | null; name: string } {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  return {
    section: key.slice(0, first).toLowerCase(),
    sub: first === last ? null : key.slice(first + 1, last),
    name: key.slice(last + 1).toLowerCase(),
  };
}

/** Program-valued keys whose value comes from the user's own config, else git's default. */
const USER_PROGRAMS: Record<string, string> = {
  'core.sshcommand': '',
  'core.askpass': '',
  'gpg.program': 'gpg',
  'gpg.openpgp.program': 'gpg',
  'gpg.x509.program': 'gpgsm',
  'gpg.ssh.program': 'ssh-keygen',
  'gpg.ssh.defaultkeycommand': '',
};

/** The command-scope overrides that neutralise what the local config's `keys` name. */
function overridesFor(keys: string[], topLevel: string, cwd: string, env: NodeJS.ProcessEnv): Overrides {
  const pairs: Pair[] = [];
  const extraEnv: Record<string, string> = {};
  const transport: Overrides['transport'] = { fetch: [], push: [] };
  const userKeys = new Set<string>();
  let credentials = false;
  for (const key of new Set(keys)) {
    const { section, sub, name } = splitKey(key);
    const plain = sub === null ? `${section}.${name}` : `${section}.${sub.toLowerCase()}.${name}`;
    if (section === 'filter' && sub !== null) {
      if (name === 'clean' || name === 'smudge' || name === 'process') pairs.push([key, '']);
      if (name !== 'required') pairs.push([`filter.${sub}.required`, 'false']);
    } else if (section === 'merge' && sub !== null && name === 'driver') {
      // a foreign driver fails the merge (a conflict) instead of running; ours is pinned
      if (sub !== TASK_INDEX_MERGE_DRIVER) pairs.push([key, 'false']);
    } else if (
      section === 'diff' &&
      ((sub !== null && (name === 'textconv' || name === 'command')) || plain === 'diff.external')
    ) {
      pairs.push([key, '']);
    } else if (section === 'credential' && name === 'helper') {
      pairs.push([key, '']);
      credentials = true;
    } else if (section === 'remote' && sub !== null && name === 'uploadpack') {
      transport.fetch = ['--upload-pack=git-upload-pack'];
    } else if (section === 'remote' && sub !== null && name === 'receivepack') {
      transport.push = ['--receive-pack=git-receive-pack'];
    } else if (section === 'trailer' && sub !== null && (name === 'command' || name === 'cmd')) {
      pairs.push([key, '']);
    } else if (section === 'pager') {
      pairs.push([key, 'false']);
    } else if (plain === 'core.alternaterefscommand') {
      pairs.push([key, '']);
    } else if (plain === 'core.gitproxy') {
      extraEnv.GIT_PROXY_COMMAND = env.GIT_PROXY_COMMAND ?? '';
    } else if (plain === 'core.worktree') {
      pairs.push([key, topLevel]);
    } else if (plain in USER_PROGRAMS) {
      userKeys.add(plain);
    }
  }
  if (userKeys.size > 0 || credentials) {
    const user = userConfig(cwd, env);
    for (const key of userKeys) {
      const own = user.filter(([k]) => k.toLowerCase() === key).at(-1)?.[1];
      const fallback =
        key === 'core.sshcommand' ? (env.GIT_SSH ? `'${env.GIT_SSH}'` : 'ssh') : USER_PROGRAMS[key];
      pairs.push([key, own ?? fallback]);
    }
    // the reset above emptied the helper lists; the user's own helpers come back, in order
    if (credentials)
      for (const [k, v] of user) if (/^credential\.(.+\.)?helper$/i.test(k)) pairs.push([k, v]);
  }
  return { pairs, env: extraEnv, transport };
}

/** The entries of the user's global and system config (git's own view, with their includes). */
function userConfig(cwd: string, env: NodeJS.ProcessEnv): Pair[] {
  const r = spawnSync('git', ['config', '--list', '-z', '--show-scope'], {
    cwd,
    env: withSettings(env, fixedSettings()),
    encoding: 'utf8',
  });
  if (r.status !== 0) return [];
  const out: Pair[] = [];
  const fields = r.stdout.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i];
    const record = fields[i + 1];
    if (scope !== 'global' && scope !== 'system') continue;
    const nl = record.indexOf('\n');
    out.push(nl < 0 ? [record, ''] : [record.slice(0, nl), record.slice(nl + 1)]);
  }
  return out;
}

/**
 * The git directory, common directory and top level of the checkout around `cwd`, found by
 * reading `.git` files upwards (no git process).
 */
export function findGitDir(cwd: string): { gitDir: string; commonDir: string; topLevel: string } | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const dotGit = join(dir, '.git');
    let gitDir: string | undefined;
    try {
      if (statSync(dotGit).isDirectory()) gitDir = dotGit;
      else {
        const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
        if (pointer) gitDir = resolve(dir, pointer[1].trim());
      }
    } catch {
      // no .git here
    }
    if (gitDir) {
      let commonDir = gitDir;
      try {
        commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        // a main checkout: the git directory is the common one
      }
      return { gitDir, commonDir, topLevel: dir };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
