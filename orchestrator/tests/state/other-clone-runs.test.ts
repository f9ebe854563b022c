/**
 * Run evidence on the state ref, read in another clone: `runs list/show`, `verify` and `review`
 * see a run made elsewhere (copied from the state ref into `.runs/`), and a sign-off made in the
 * other clone reaches the clone that ran it.
 */
import { describe, expect, it } from 'vitest';
import { sharedRemote } from '../helpers/shared-remote.js';
import { cxo, gitIn, indexJson } from '../helpers/temp-repo.js';

const CONFIG = `guard:
  require_spec: false
agents:
  manager: none
  builder: "command:printf 'hello\\\\n' > greeting.txt"
gitops:
  state: ref
  push: true
`;

interface RunJson {
  run: { id: string };
  result: { status: string };
  signoffs?: { decision: string; by: string }[];
}

describe('runs of another clone (gitops.state: ref)', () => {
  it('are listed, shown, verified and signed off in a clone that did not run them', () => {
    const { clone } = sharedRemote(
      {
        'codex.config.yaml': CONFIG,
        'codex.tasks.json': indexJson([
          { id: 't1', title: 'One', acceptance: ['grep -q hello greeting.txt'] },
        ]),
        '.gitignore': '.runs/\n',
      },
      'cxo-other-clone-',
    );
    const ran = clone('ran');
    const run = cxo(ran, ['run', 't1']);
    expect(run.code, run.stderr).toBe(0);
    const runId = (JSON.parse(cxo(ran, ['runs', 'list', '--json']).stdout) as { runs: { id: string }[] })
      .runs[0].id;

    const other = clone('other');
    const listed = JSON.parse(cxo(other, ['runs', 'list', '--json']).stdout) as {
      runs: { id: string; status: string }[];
    };
    expect(listed.runs).toEqual([expect.objectContaining({ id: runId, status: 'review' })]);
    const shown = JSON.parse(cxo(other, ['runs', 'show', runId, '--json']).stdout) as RunJson;
    expect(shown.result.status).toBe('review');
    const verify = cxo(other, ['verify', runId]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`${runId}`);

    const review = cxo(other, ['review', 't1', '--approve', '--by', 'bob']);
    expect(review.code, review.stdout + review.stderr).toBe(0);
    expect(review.stdout).toContain('task t1 is done');

    // the clone that ran it sees the sign-off once it fetched the state
    gitIn(ran, 'fetch', '-q', 'origin');
    const back = JSON.parse(cxo(ran, ['runs', 'show', runId, '--json']).stdout) as RunJson;
    expect(back.signoffs).toEqual([expect.objectContaining({ decision: 'approve', by: 'bob' })]);
    const task = JSON.parse(cxo(ran, ['tasks', 'show', 't1', '--json']).stdout) as {
      task: { status: { phase: string } };
    };
    expect(task.task.status.phase).toBe('done');
  }, 120_000);
});
