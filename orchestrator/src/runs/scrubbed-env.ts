/**
 * The environment an agent or a command runs with.
 *
 * The orchestrator itself holds credentials: a GitHub token to push and comment, API keys for the
 * agents it drives, whatever the person's shell exported. A child that inherited them could use or
 * leak them (an agent echoing its environment into a transcript, a test uploading it), and the
 * evidence of a run must not depend on them. So children start from an allow-list of harmless
 * variables only; each credential a step really needs is passed on by name (`passThrough`) or set
 * explicitly (`set`), so every grant is visible in the configuration that asks for it.
 */

/** Variables every child gets: where programs are, who and where the user is, locale, terminal, time zone, temp dirs. */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TERM',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
]);

export interface ScrubEnvOptions {
  /** More names to keep: exact names, or `PREFIX_*` for every name starting with `PREFIX_`. */
  passThrough?: readonly string[];
  /** Variables to set (after filtering); `undefined` removes one. */
  set?: Readonly<Record<string, string | undefined>>;
}

/** A new environment with only the allow-list (and every `LC_*`), the `passThrough` names, and `set`. */
export function scrubEnv(
  env: NodeJS.ProcessEnv,
  { passThrough = [], set = {} }: ScrubEnvOptions = {},
): NodeJS.ProcessEnv {
  const exact = new Set(passThrough.filter((name) => !name.endsWith('*')));
  const prefixes = [
    'LC_',
    ...passThrough.filter((name) => name.endsWith('*')).map((name) => name.slice(0, -1)),
  ];
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (ALLOWED.has(name) || exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      out[name] = value;
    }
  }
  for (const [name, value] of Object.entries(set)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}
