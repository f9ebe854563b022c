import { describe, expect, it } from 'vitest';
import { committedTask } from '../helpers/reconcile-repo.js';
import { readManifest, runDirs } from '../helpers/run-repo.js';
import { cxo, gitIn, makeRepo } from '../helpers/temp-repo.js';

/** Keys that name Object.prototype members: a lookup that is not own-property finds those instead. */
const PROTO_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const protoFields = (indent: string) =>
  PROTO_KEYS.map((k, i) => `${indent}"${k}": ${k === '__proto__' ? '{ "phase": "done" }' : i}`).join(',\n');

// written as text: an object literal cannot hold an own "__proto__" key
const INDEX = `{
  "version": 1,
  "tasks": [
    {
      "id": "t1",
      "title": "Task one",
      "acceptance": ["true"],
      "request": "r1",
${protoFields('      ')},
      "status": {
        "phase": "pending",
${protoFields('        ')}
      }
    }
  ]
}
`;
const CONFIG = `guard:
  require_spec: false
agents:
  manager: none
  builder: "command:true"
  constructor: x
${PROTO_KEYS.map((k) => `${k}: { toString: 1 }`).join('\n')}
`;
const PRD = `---\nid: prd-x\ntitle: P\n${PROTO_KEYS.map((k) => `${k}: 1`).join('\n')}\n---\n# PRD\n`;

function protoRepo(): string {
  return makeRepo(
    { 'codex.tasks.json': INDEX, 'codex.config.yaml': CONFIG, 'tasks/0001-prd-x.md': PRD },
    { git: true },
  );
}

describe('keys named like Object.prototype members, in a status, task fields, the config and front matter', () => {
  it('validate warns about them as unknown fields and passes', () => {
    const r = cxo(protoRepo(), ['validate']);
    expect(r.stderr).toMatch(
      /codex\.tasks\.json:\d+:\d+: warning\[unknown-field\]: unknown field "constructor"/,
    );
    expect(r.code).toBe(0);
  });

  it('cxo run writes the status back (replacing the unknown status keys) and ends the run', () => {
    const repo = protoRepo();
    const r = cxo(repo, ['run', 't1']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const status = committedTask(repo, 't1')!.status!;
    expect(status.phase).toBe('review');
    expect(PROTO_KEYS.filter((k) => Object.hasOwn(status, k))).toEqual([]);
    const [dir] = runDirs(repo);
    expect(readManifest(repo, dir).result.status).toBe('review');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
  });

  it('cxo watch --once runs the task, and the next pass has nothing to do', () => {
    const repo = protoRepo();
    const first = cxo(repo, ['watch', '--once']);
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    expect(committedTask(repo, 't1')!.status!.phase).toBe('review');
    const second = cxo(repo, ['watch', '--once']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 dispatched/);
  });
});
