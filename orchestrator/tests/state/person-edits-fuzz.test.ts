/**
 * Ref mode with `state_sync: done`: a person edits, stages and commits the task index on the
 * branch while the orchestrator writes statuses to the state ref (and, for `done`, syncs them into
 * the index with a commit on the branch), in 1,000 seeded random interleavings, some of them at
 * the same moment. After every step: every person edit is where the person left it, every status
 * written is on the state ref, every reader's view is the two laid over each other, and the branch
 * has no orchestrator commit other than the `state_sync` ones.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/repo/canonical-json.js';
import { loadConfig } from '../../src/repo/repo-files.js';
import { decodeSource } from '../../src/repo/source-text.js';
import { parseTaskIndex, type TaskIndex } from '../../src/repo/task-index.js';
import { setTaskFields, setTaskStatus } from '../../src/repo/task-index-edit.js';
import type { TaskStatus } from '../../src/repo/task-types.js';
import { loadObservedIndex } from '../../src/state/observed-index.js';
import { StateRef } from '../../src/state/state-ref.js';
import { readStatuses } from '../../src/state/state-statuses.js';
import { writeTaskStatus } from '../../src/state/write-task-status.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { gitIn, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

const INDEX = 'codex.tasks.json';
const IDS = ['a', 'b', 'c', 'd', 'e'];
const STEPS = 1000;
const CONFIG = 'gitops:\n  state: ref\n  state_sync: done\n  push: false\n';

function parseText(text: string): TaskIndex {
  const decoded = decodeSource(INDEX, Buffer.from(text, 'utf8'));
  const parsed = decoded.source ? parseTaskIndex(decoded.source, 'full') : undefined;
  if (!parsed?.index || parsed.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`invalid ${INDEX}: ${JSON.stringify(parsed?.diagnostics)}\n${text}`);
  return parsed.index;
}
const working = (dir: string) => parseText(read(dir, INDEX));
const committed = (dir: string) => parseText(gitIn(dir, 'show', `HEAD:${INDEX}`));
/** The state ref stores canonical JSON, the index the person's key order: compared canonically. */
const canon = (v: unknown): string => canonicalJson(v ?? null);

/** A person's `git commit -a` of the index, retried while a status commit holds git's index lock. */
function personCommit(dir: string, message: string): Promise<void> {
  const attempt = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const git = spawn('git', ['commit', '-q', '--allow-empty', '-m', message, '--', INDEX], { cwd: dir });
      let stderr = '';
      git.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      git.on('exit', (code) => {
        if (code === 0) resolve();
        else if (/index\.lock/.test(stderr) && n < 50)
          setTimeout(() => attempt(n + 1).then(resolve, reject), 20);
        else reject(new Error(`git commit: ${stderr}`));
      });
    });
  return attempt(0);
}

describe('person edits on the branch while statuses go to the state ref', () => {
  it(`lose nothing on either side over ${STEPS.toLocaleString('en')} random interleavings`, async () => {
    const seed = Number(process.env.CXO_FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const tasks = IDS.map((id) => ({ id, title: `Title ${id}`, request: 'r0' }));
    const dir = makeRepo({ 'codex.config.yaml': CONFIG, [INDEX]: indexJson(tasks) }, { git: true });
    const { config } = await loadConfig(dir);
    const state = new StateRef({ root: dir, ref: 'refs/heads/cxo/state' });

    // what each side must find: the person's fields in the working tree and at HEAD, the status
    // blocks in the file (the person's, or a synced `done`), and the state ref's statuses
    const fields = new Map(IDS.map((id) => [id, { title: `Title ${id}`, request: 'r0' }]));
    let headFields = new Map(fields);
    const fileStatus = new Map<string, string>(IDS.map((id) => [id, canon(undefined)]));
    let headStatus = new Map(fileStatus);
    const stateStatus = new Map<string, string>();
    const counts = {
      steps: 0,
      edits: 0,
      statusEdits: 0,
      commits: 0,
      writes: 0,
      syncs: 0,
      conflicts: 0,
      together: 0,
    };
    let syncCommits = 0;

    const personEdit = (step: number) => {
      const id = pick(IDS);
      const change = random() < 0.7 ? { title: `Person ${step}` } : { request: `r${step}` };
      writeFileSync(join(dir, INDEX), setTaskFields(working(dir), id, change));
      fields.set(id, { ...fields.get(id)!, ...change });
      counts.edits++;
    };
    const personStatusEdit = (step: number) => {
      const id = pick(IDS);
      const status: TaskStatus = { phase: 'blocked', message: `person ${step}` };
      writeFileSync(join(dir, INDEX), setTaskStatus(working(dir), id, status));
      fileStatus.set(id, canon(status));
      counts.statusEdits++;
    };
    const commitAll = async (step: number) => {
      await personCommit(dir, `person ${step}`);
      headFields = new Map(fields);
      headStatus = new Map(fileStatus);
      counts.commits++;
    };
    const statusWrite = async (step: number, phases: readonly TaskStatus['phase'][]) => {
      const id = pick(IDS);
      const status: TaskStatus = {
        phase: pick(phases),
        message: `run ${step}`,
        observedRequest: fields.get(id)!.request,
      };
      // a person who changed the block in the file owns it: the sync must leave it alone
      const personOwns = fileStatus.get(id) !== headStatus.get(id);
      const result = await writeTaskStatus({ root: dir, config, taskId: id, status, runId: `run-${step}` });
      expect(result.on).toBe('state-ref');
      stateStatus.set(id, canon(status));
      counts.writes++;
      if (status.phase !== 'done') return;
      expect(result.syncWarning, `seed ${seed} step ${step}`).toBeUndefined();
      expect(result.synced, `seed ${seed} step ${step}`).toBeDefined();
      syncCommits++;
      counts.syncs++;
      headStatus.set(id, canon(status));
      if (personOwns) {
        expect(result.conflict, `seed ${seed} step ${step}`).toEqual({ field: 'status' });
        counts.conflicts++;
      } else {
        expect(result.conflict, `seed ${seed} step ${step}`).toBeUndefined();
        fileStatus.set(id, canon(status));
      }
    };

    for (let step = 0; step < STEPS; step++) {
      const roll = random();
      if (roll < 0.3) personEdit(step);
      else if (roll < 0.4) personStatusEdit(step);
      else if (roll < 0.5) await commitAll(step);
      else if (roll < 0.85) await statusWrite(step, ['running', 'review', 'done', 'failed']);
      else {
        // at the same moment: the person commits what they edited while a status goes to the state
        // ref (a `done`, synced to the branch too, would race the person for HEAD: either order is
        // right then, so those are written one after the other above)
        personEdit(step);
        await Promise.all([commitAll(step), statusWrite(step, ['running', 'review', 'failed'])]);
        counts.together++;
      }
      counts.steps++;

      const at = (t: string) => `seed ${seed} step ${step} task ${t}`;
      const work = working(dir); // throws unless a valid index
      const head = committed(dir);
      const onState = readStatuses(state.snapshot()).byTask;
      const view = loadObservedIndex(dir, config).index;
      for (const t of IDS) {
        expect(work.byId.get(t)?.title, at(t)).toBe(fields.get(t)!.title);
        expect(work.byId.get(t)?.request, at(t)).toBe(fields.get(t)!.request);
        expect(head.byId.get(t)?.title, at(t)).toBe(headFields.get(t)!.title);
        expect(canon(work.byId.get(t)?.status), at(t)).toBe(fileStatus.get(t));
        expect(canon(head.byId.get(t)?.status), at(t)).toBe(headStatus.get(t));
        expect(canon(onState.get(t)), at(t)).toBe(stateStatus.get(t) ?? canon(undefined));
        // readers: the person's fields, the state ref's status where it has one
        expect(view.byId.get(t)?.title, at(t)).toBe(fields.get(t)!.title);
        expect(canon(view.byId.get(t)?.status), at(t)).toBe(stateStatus.get(t) ?? fileStatus.get(t));
      }
    }
    // the branch: the person's commits and exactly one commit per synced `done`, nothing else
    const subjects = gitIn(dir, 'log', '--format=%s', 'HEAD').trim().split('\n');
    const orchestrator = subjects.filter((s) => !/^person \d+$/.test(s) && s !== 'initial');
    expect(orchestrator, `seed ${seed}`).toHaveLength(syncCommits);
    expect(gitIn(dir, 'diff', '--cached', '--name-only').trim(), `seed ${seed}`).toBe('');
    console.log(`ref-mode fuzz (seed ${seed}): ${JSON.stringify(counts)}`);
    expect(counts.steps).toBe(STEPS);
  }, 600_000);
});
