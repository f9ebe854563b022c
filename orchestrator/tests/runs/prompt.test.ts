import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cxo, indexJson, makeRepo, read } from '../helpers/temp-repo.js';

it("each role's prompt carries the task, its checklist item, the PRD excerpt, the plan and AGENTS.md", () => {
  const dir = makeRepo(
    {
      'codex.config.yaml': 'guard:\n  require_spec: false\n',
      'codex.tasks.json': indexJson([
        {
          id: 't',
          title: 'Greet',
          description: 'Say hello.',
          prd: 'tasks/0001-prd-greet.md',
          checklist: 'tasks/tasks-0001-greet.md#1.1',
          acceptance: ['true'],
        },
      ]),
      'tasks/0001-prd-greet.md':
        '---\nid: greet\ntitle: Greet\n---\n\n# Greet\n\nVisitors want a greeting.\n',
      'tasks/tasks-0001-greet.md': '# Tasks\n\n- [ ] 1.0 Greeting\n  - [ ] 1.1 Write the greeting\n',
      'AGENTS.md': '# AGENTS.md\n\nUse two spaces.\n',
    },
    { git: true },
  );
  const r = cxo(dir, ['run', 't', '--role', 'manager=none', '--role', 'builder=command:true']);
  expect(r.code, r.stderr).toBe(0);
  const runDir = join('.runs/t', readdirSync(join(dir, '.runs/t'))[0]);
  const prompt = read(dir, join(runDir, 'prompts/builder.md'));
  expect(prompt).toContain('# Task t: Greet\n\nSay hello.');
  expect(prompt).toContain(
    '# Checklist item\ntasks/tasks-0001-greet.md#1.1\n- [ ] 1.0 Greeting\n  - [ ] 1.1 Write the greeting',
  );
  expect(prompt).toContain('# PRD (excerpt)\n# Greet\n\nVisitors want a greeting.');
  expect(prompt).not.toContain('id: greet');
  expect(prompt).toContain('# Plan\n');
  expect(prompt).toContain('# AGENTS.md\n# AGENTS.md\n\nUse two spaces.');
});
