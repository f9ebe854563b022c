import { CxoError, ExitCode } from '../../errors.js';
import { git } from '../../git/git.js';
import type { SandboxConfig } from '../../repo/sandbox-config.js';
import { probeBwrap } from './bwrap-probe.js';
import { Sandbox } from './sandbox.js';

export type SandboxChoice = { mode: 'bwrap' } | { mode: 'none'; reason: string };

let warned = false;

/**
 * Which sandbox the runs of this process get: `sandbox.mode: none` turns it off; `bwrap` requires
 * bubblewrap (a configuration error where it cannot run); absent, bubblewrap where it works, else
 * none with one warning per process (the manifest records the reason as well).
 */
export function chooseSandbox(config: SandboxConfig, warn: (message: string) => void): SandboxChoice {
  if (config.mode === 'none') return { mode: 'none', reason: 'sandbox.mode is none in the configuration' };
  const probe = probeBwrap();
  if (probe.ok) return { mode: 'bwrap' };
  if (config.mode === 'bwrap') {
    throw new CxoError(`sandbox.mode is bwrap, but ${probe.reason}`, ExitCode.Usage, {
      hint: 'install bubblewrap (Debian: apt-get install bubblewrap), or set sandbox.mode: none',
    });
  }
  const reason = `no sandbox: ${probe.reason}`;
  if (!warned) {
    warned = true;
    warn(
      `${reason}; commands run with your rights (install bubblewrap, or set sandbox.mode: none to silence this)`,
    );
  }
  return { mode: 'none', reason };
}

/** The sandbox of one run, once its worktree exists. */
export function sandboxOfRun(
  choice: SandboxChoice,
  config: SandboxConfig,
  run: { root: string; worktree: string },
  env: NodeJS.ProcessEnv,
): Sandbox {
  if (choice.mode === 'none') return Sandbox.none(config, choice.reason);
  const [gitCommonDir, worktreeGitDir] = git(run.worktree, [
    'rev-parse',
    '--path-format=absolute',
    '--git-common-dir',
    '--git-dir',
  ])
    .stdout.trim()
    .split('\n');
  return Sandbox.bwrap(config, { root: run.root, worktree: run.worktree, gitCommonDir, worktreeGitDir }, env);
}
