/** codex.config.yaml `sandbox`: how commands run on the builder's behalf are isolated (docs/runs.md#sandbox). */
export interface SandboxConfig {
  /** `bwrap` requires bubblewrap (a run fails without it); `none` turns the sandbox off; absent: bwrap where it works. */
  mode?: 'bwrap' | 'none';
  /** `deny`: a network namespace with loopback only; `allow`: the host's network. */
  network: 'deny' | 'allow';
  /** Memory limit of each sandboxed command (with everything it starts), in MiB. */
  memory_mb: number;
  /** Process (task) limit of each sandboxed command, threads included. */
  pids: number;
  /** More host paths visible inside (read-only, or writable), absolute or relative to the repository. */
  extra_ro: string[];
  extra_rw: string[];
}

export function defaultSandboxConfig(): SandboxConfig {
  return { network: 'deny', memory_mb: 4096, pids: 2048, extra_ro: [], extra_rw: [] };
}
