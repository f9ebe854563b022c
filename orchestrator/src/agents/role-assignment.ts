import { UsageError } from '../errors.js';
import type { Config } from '../repo/config.js';
import { ROLES, type Role, type Task } from '../repo/task-types.js';

/** `ROLE=ADAPTER[:ARGUMENT]`: the one syntax for --role, a task's `agents` and the config's agents. */
export interface AdapterSpec {
  adapter: string;
  argument?: string;
  /** The text as written, for the manifest. */
  raw: string;
}

export function parseAdapterSpec(raw: string): AdapterSpec {
  const colon = raw.indexOf(':');
  const adapter = colon === -1 ? raw : raw.slice(0, colon);
  if (!/^(none|[a-z][a-z0-9-]*)$/.test(adapter)) {
    throw new UsageError(
      `"${raw}" is not ADAPTER[:ARGUMENT]`,
      'e.g. builder=codex, builder=command:make fix, manager=none',
    );
  }
  return colon === -1 ? { adapter, raw } : { adapter, argument: raw.slice(colon + 1), raw };
}

/** Parses `--role ROLE=ADAPTER[:ARGUMENT]` flags. */
export function parseRoleFlags(flags: readonly string[]): Partial<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const role = flag.slice(0, eq) as Role;
    if (eq === -1 || !ROLES.includes(role)) {
      throw new UsageError(
        `--role "${flag}" must be ROLE=ADAPTER[:ARGUMENT] with ROLE one of ${ROLES.join(', ')}`,
      );
    }
    parseAdapterSpec(flag.slice(eq + 1));
    out[role] = flag.slice(eq + 1);
  }
  return out;
}

/** The adapter for each role: --role flags, then the task's `agents`, then the config. */
export function resolveRoles(
  config: Config,
  task: Task,
  flags: Partial<Record<Role, string>>,
): Record<Role, AdapterSpec> {
  const out = {} as Record<Role, AdapterSpec>;
  for (const role of ROLES)
    out[role] = parseAdapterSpec(flags[role] ?? task.agents?.[role] ?? config.agents[role]);
  return out;
}
