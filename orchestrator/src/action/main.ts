// Entry point of the spec-guard GitHub Action (action.yml). Bundled by scripts/build-action.mjs
// into action/dist/index.mjs, which runs from a checkout without node_modules. Thin on purpose:
// inputs in, runGuard, reportToGitHub out; everything else lives in runGuard.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { runGuard, writeGuardReport } from '../cli/run-guard.js';
import { CxoError } from '../errors.js';
import { git } from '../git/git.js';
import { ANNOTATIONS_PER_TYPE, reportToGitHub } from '../guard/format-github.js';

interface PushOrPullRequestEvent {
  before?: string;
  pull_request?: { base?: { sha?: string } };
  merge_group?: { base_sha?: string };
}

/**
 * The base of the range whose changes need a spec, when the `base` input is empty: the pull
 * request's base commit, a merge group's base, or the commit a push started from (none for the
 * first push of a branch, whose `before` is all zeros).
 */
function baseFromEvent(env: NodeJS.ProcessEnv): { sha: string; event: string } | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return undefined;
  let event: PushOrPullRequestEvent;
  try {
    event = JSON.parse(readFileSync(path, 'utf8')) as PushOrPullRequestEvent;
  } catch {
    return undefined;
  }
  const name = env.GITHUB_EVENT_NAME;
  const sha = (value: unknown) =>
    typeof value === 'string' && /^[0-9a-f]{40,64}$/.test(value) && !/^0+$/.test(value) ? value : undefined;
  let found: string | undefined;
  if (name === 'pull_request' || name === 'pull_request_target') found = sha(event.pull_request?.base?.sha);
  else if (name === 'merge_group') found = sha(event.merge_group?.base_sha);
  else if (name === 'push') found = sha(event.before);
  return found && name ? { sha: found, event: name } : undefined;
}

function input(name: string): string | undefined {
  return core.getInput(name).trim() || undefined;
}

async function main(): Promise<void> {
  const cwd = resolve(process.cwd(), input('working-directory') ?? '.');
  let base = input('base');
  if (base === undefined) {
    const fromEvent = baseFromEvent(process.env);
    // a force push's `before` may be gone from the clone: check the rest, say why the diff is not
    const gone =
      fromEvent?.event === 'push' &&
      git(cwd, ['cat-file', '-e', `${fromEvent.sha}^{commit}`], { allowFail: true }).status !== 0;
    if (!fromEvent) core.info('no base commit (input or event): diff coverage is not checked');
    else if (gone)
      core.warning(`diff coverage skipped: the push's before commit ${fromEvent.sha} is not in this clone`);
    else {
      base = fromEvent.sha;
      core.info(`base ${base}, from the ${fromEvent.event} event`);
    }
  }
  const { report } = await runGuard({
    cwd,
    base,
    head: input('head'),
    now: input('now'),
    override: input('override'),
    cache: true,
    env: process.env,
  });
  await reportToGitHub(report, writeGuardReport(report, process.env));
}

try {
  await main();
} catch (e) {
  if (e instanceof CxoError) {
    for (const d of e.diagnostics.slice(0, ANNOTATIONS_PER_TYPE)) {
      const properties = { title: d.code, file: d.file, startLine: d.line, startColumn: d.column };
      const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
      if (d.severity === 'error') core.error(message, properties);
      else core.warning(message, properties);
    }
    core.setFailed(e.hint ? `${e.message}\nhint: ${e.hint}` : e.message);
  } else {
    const err = e as Error;
    if (err?.stack) core.debug(err.stack);
    core.setFailed(
      `internal error: ${err?.message ?? String(e)}\nhint: this is a bug in codex-orchestrator; please report it with the workflow log`,
    );
  }
  process.exitCode = 1;
}
