import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestDigest } from '../../src/runs/manifest-digest.js';
import type { RunManifest } from '../../src/runs/manifest-types.js';
import { allowedSigners, makeKey, signingEnv } from '../helpers/signing-keys.js';
import { cxo, gitIn, indexJson, makeRepo, read, specText, VALID_SPEC } from '../helpers/temp-repo.js';

const CONFIG = 'guard:\n  require_spec: false\n';
const CHECKLIST = '# Tasks\n\n- [ ] 1.0 Greeting\n  - [ ] 1.1 Write the greeting\n  - [ ] 1.2 Other work\n';
/** A builder that also keeps the prompt it was given, to show what the next run is told. */
const BUILD = 'builder=command:cp "$CXO_PROMPT_FILE" prompt-seen.md; printf "hello\\n" > greeting.txt';

function repo(task: Record<string, unknown> = {}, files: Record<string, string> = {}) {
  return makeRepo(
    {
      'codex.config.yaml': CONFIG,
      'codex.tasks.json': indexJson([
        {
          id: 't',
          title: 'Greet',
          acceptance: ['grep -q hello greeting.txt'],
          checklist: 'tasks/tasks-0001-greet.md#1.1',
          ...task,
        },
      ]),
      'tasks/tasks-0001-greet.md': CHECKLIST,
      ...files,
    },
    { git: true },
  );
}

/** Runs task t to review and returns its run id and directory. */
function runToReview(dir: string, ...extra: string[]): { runId: string; runDir: string } {
  const r = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', BUILD, '--json', ...extra]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const runId = gitIn(dir, 'log', '-1', '--format=%(trailers:key=Run-Id,valueonly)').trim();
  return { runId, runDir: `.runs/t/${runId}` };
}

const manifestOf = (dir: string, runDir: string) =>
  JSON.parse(read(dir, `${runDir}/manifest.json`)) as RunManifest;
const taskAtHead = (dir: string) => JSON.parse(gitIn(dir, 'show', 'HEAD:codex.tasks.json')).tasks[0];

describe('cxo review', () => {
  it('approves: signs the manifest, marks the task done, ticks its checklist item, and verify still passes', () => {
    const dir = repo();
    const { runId, runDir } = runToReview(dir);
    const before = manifestOf(dir, runDir);
    const r = cxo(dir, ['review', runId, '--approve', '-m', 'looks right', '--by', 'bob']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`bob approved run ${runId}: task t is done`);
    const after = manifestOf(dir, runDir);
    expect(after.signoffs).toEqual([
      {
        by: 'bob',
        at: expect.any(String),
        decision: 'approve',
        comment: 'looks right',
        manifestSha256: manifestDigest(before),
        source: 'cli',
      },
    ]);
    expect(taskAtHead(dir).status).toMatchObject({
      phase: 'done',
      lastRun: { id: runId, manifest: `${runDir}/manifest.json`, result: 'approved' },
    });
    const ticked = `  - [x] 1.1 Write the greeting (evidence: ${runDir}/manifest.json)`;
    expect(gitIn(dir, 'show', 'HEAD:tasks/tasks-0001-greet.md').split('\n')[3]).toBe(ticked);
    expect(read(dir, 'tasks/tasks-0001-greet.md').split('\n')[3]).toBe(ticked);
    expect(read(dir, 'tasks/tasks-0001-greet.md').split('\n')[4]).toBe('  - [ ] 1.2 Other work');
    expect(gitIn(dir, 'log', '-1', '--format=%s%n%(trailers:key=Reviewed-by,valueonly)').trim()).toBe(
      `cxo(t): done [${runId}]\nbob`,
    );
    expect(gitIn(dir, 'show', `HEAD:${runDir}/manifest.json`)).toBe(read(dir, `${runDir}/manifest.json`));
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(cxo(dir, ['verify', runId]).code).toBe(0);
    expect(cxo(dir, ['guard']).code).toBe(0);
    // the task id means its last run; it cannot be approved twice
    const again = cxo(dir, ['review', 't', '--approve', '--by', 'carol']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${runId} was approved already, by bob`);
  });

  it('refuses to approve a run whose evidence no longer verifies, writing nothing', () => {
    const dir = repo();
    const { runId, runDir } = runToReview(dir);
    writeFileSync(join(dir, runDir, 'diff.patch'), 'rewritten\n');
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const manifest = read(dir, `${runDir}/manifest.json`);
    const r = cxo(dir, ['review', runId, '--approve', '--by', 'bob']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot be approved: its evidence does not verify');
    expect(r.stderr).toContain(`${runDir}/diff.patch: expected`);
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(read(dir, `${runDir}/manifest.json`)).toBe(manifest);
  });

  it('verify finds a manifest changed after it was signed off', () => {
    const dir = repo();
    const { runId, runDir } = runToReview(dir);
    expect(cxo(dir, ['review', runId, '--approve', '--by', 'bob']).code).toBe(0);
    const manifest = manifestOf(dir, runDir);
    manifest.task.title = 'Something else';
    writeFileSync(join(dir, runDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const r = cxo(dir, ['verify', runId]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('changed after bob signed it off');
  });

  it("under a high-risk spec, the task's author cannot approve", () => {
    const spec = specText({ ...VALID_SPEC, risk: 'high', owners: ['ada'] });
    const dir = repo({ spec: 'specs/0001-a.md', owner: 'ada' }, { 'specs/0001-a.md': spec });
    // the spec is not approved: the run is forced past the gate, which is recorded
    const { runId } = runToReview(dir, '--force', 'testing the sign-off rule');
    for (const author of ['ada', 'Test Person']) {
      const r = cxo(dir, ['review', runId, '--approve', '--by', author]);
      expect(r.code, author).toBe(1);
      expect(r.stderr).toContain(`spec spec-a is high risk, and ${author} is the task's author`);
    }
    expect(cxo(dir, ['review', runId, '--approve', '--by', 'bob']).code).toBe(0);
  });

  it("requests changes: the task goes back with the feedback, and the next run's prompt carries it", () => {
    const dir = repo();
    const { runId, runDir } = runToReview(dir);
    expect(cxo(dir, ['review', runId, '--request-changes', '--by', 'bob']).code).toBe(2);
    const r = cxo(dir, ['review', runId, '--request-changes', '-m', 'greet in French', '--by', 'bob']);
    expect(r.code, r.stderr).toBe(0);
    expect(taskAtHead(dir).status).toMatchObject({
      phase: 'changes-requested',
      reason: 'ChangesRequested',
      message: 'greet in French',
      lastRun: { id: runId, result: 'changes-requested' },
    });
    expect(manifestOf(dir, runDir).signoffs?.[0]).toMatchObject({ decision: 'request-changes', by: 'bob' });
    // the checklist is not ticked
    expect(read(dir, 'tasks/tasks-0001-greet.md')).toBe(CHECKLIST);
    const next = runToReview(dir);
    expect(manifestOf(dir, next.runDir).trigger.feedback).toEqual({
      run: runId,
      by: 'bob',
      message: 'greet in French',
    });
    const prompt = read(dir, `${next.runDir}/prompts/builder.md`);
    expect(prompt).toContain(
      `# Changes requested\nbob reviewed run ${runId} and asked for changes:\n\ngreet in French`,
    );
  });

  it('--merge merges the run branch into the base branch with a merge commit and trailers', () => {
    const dir = repo();
    const { runId, runDir } = runToReview(dir);
    const branch = manifestOf(dir, runDir).run.branch;
    const r = cxo(dir, ['review', runId, '--approve', '--by', 'bob', '--merge']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('merged the run branch into the base branch');
    const parents = gitIn(dir, 'log', '-1', '--format=%P').trim().split(' ');
    expect(parents).toHaveLength(2);
    expect(parents[1]).toBe(gitIn(dir, 'rev-parse', branch).trim());
    expect(
      gitIn(
        dir,
        'log',
        '-1',
        '--format=%s%n%(trailers:key=Run-Id,valueonly)%(trailers:key=Reviewed-by,valueonly)',
      ).trim(),
    ).toBe(`cxo(t): merge run ${runId}\n${runId}\nbob`);
    expect(read(dir, 'greeting.txt')).toBe('hello\n');
    expect(taskAtHead(dir).status.phase).toBe('done');
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it('--merge with staged changes refuses before writing anything', () => {
    const dir = repo({}, { 'notes.txt': 'a\n' });
    const { runId, runDir } = runToReview(dir);
    writeFileSync(join(dir, 'notes.txt'), 'b\n');
    gitIn(dir, 'add', 'notes.txt');
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const r = cxo(dir, ['review', runId, '--approve', '--by', 'bob', '--merge']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('you have staged changes');
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(manifestOf(dir, runDir).signoffs).toBeUndefined();
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('b\n');
  });

  it('says what is wrong with the command line', () => {
    const dir = repo();
    expect(cxo(dir, ['review', 't']).stderr).toContain('--approve or --request-changes');
    expect(cxo(dir, ['review', 't', '--approve', '--request-changes']).stderr).toContain('not both');
    const none = cxo(dir, ['review', 't', '--approve']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('task "t" has no run yet');
    expect(cxo(dir, ['review', 'nope', '--approve']).stderr).toContain('no run or task "nope"');
  });
});

describe('cxo review: signed sign-offs under a high-risk spec', () => {
  /** A run of a task under a high-risk spec, waiting for review, in a repository trusting alice and mallory. */
  function highRiskRun() {
    const alice = makeKey('alice');
    const mallory = makeKey('mallory');
    const spec = specText({ ...VALID_SPEC, risk: 'high', owners: ['ada'] });
    const dir = repo(
      { spec: 'specs/0001-a.md', owner: 'ada' },
      { 'specs/0001-a.md': spec, '.cxo/allowed_signers': allowedSigners([alice, mallory]) },
    );
    const { runId, runDir } = runToReview(dir, '--force', 'testing sign-offs');
    return { dir, runId, runDir, alice, mallory };
  }

  it("--by alice with mallory's key is refused, and nothing is written", () => {
    const { dir, runId, runDir, mallory } = highRiskRun();
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const before = read(dir, `${runDir}/manifest.json`);
    const r = cxo(dir, ['review', runId, '--approve', '--by', 'alice'], signingEnv(mallory));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--by alice, but your signing key is mallory's in .cxo/allowed_signers");
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(read(dir, `${runDir}/manifest.json`)).toBe(before);
  });

  it("alice's signed approval passes cxo verify", () => {
    const signedRun = highRiskRun();
    const r = cxo(signedRun.dir, ['review', signedRun.runId, '--approve'], signingEnv(signedRun.alice));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`alice approved run ${signedRun.runId}`);
    expect(r.stderr).not.toContain('not signed');
    // the person who ran it authors the status commit; the orchestrator commits it
    expect(gitIn(signedRun.dir, 'log', '-1', '--format=%an|%cn').trim()).toBe(
      'Test Person|codex-orchestrator',
    );
    expect(gitIn(signedRun.dir, 'cat-file', 'commit', 'HEAD')).toContain(
      'gpgsig -----BEGIN SSH SIGNATURE-----',
    );
    const ok = cxo(signedRun.dir, ['verify', signedRun.runId]);
    expect(ok.code, ok.stdout).toBe(0);
  });

  it('an unsigned approval does not count for cxo verify, and cannot --merge', () => {
    const unsigned = highRiskRun();
    const merge = cxo(unsigned.dir, ['review', unsigned.runId, '--approve', '--by', 'bob', '--merge']);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toContain('cannot be merged on an unsigned approval');
    const typed = cxo(unsigned.dir, ['review', unsigned.runId, '--approve', '--by', 'bob']);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stderr).toContain('warning: the sign-off is not signed');
    const bad = cxo(unsigned.dir, ['verify', unsigned.runId]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /the approval by bob at \S+ does not count: the commit [0-9a-f]{12} that added it is not signed/,
    );
  });
});
