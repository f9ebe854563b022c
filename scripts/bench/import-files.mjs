// Seeded generators of the two large foreign files `cxo import` is timed on: a task-master
// `.taskmaster/tasks/tasks.json` (9 tags, 1,096 tasks with subtasks, ~1.5 MB) and a Kbediako/CO
// `tasks/index.json` (~1.7 MB) with the spec and PRD documents its items name. Same seed =>
// byte-identical output, so the files can be cached and the figures compared between runs.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { paragraph, rng } from './model.mjs';

const TAGS = [
  'master',
  'feature-auth',
  'feature-billing',
  'refactor-core',
  'perf',
  'docs',
  'mobile',
  'infra',
  'qa',
];
const STATUSES = [
  ['done', 5],
  ['pending', 4],
  ['in-progress', 1],
  ['review', 0.5],
  ['deferred', 0.3],
  ['cancelled', 0.2],
];
const PRIORITIES = ['high', 'medium', 'low'];

/** task-master tasks.json text with `total` tasks spread over the 9 tags. */
export function taskmasterFile({ total = 1096, seed = 1096 } = {}) {
  const r = rng(seed);
  const out = {};
  let left = total;
  TAGS.forEach((tag, t) => {
    const count = t === TAGS.length - 1 ? left : Math.round(total / TAGS.length);
    left -= count;
    const tasks = [];
    for (let id = 1; id <= count; id++) {
      // dependencies point backwards only: the real file is acyclic
      const deps = [];
      for (let k = r.int(0, 3); k > 0 && id > 1; k--) deps.push(r.int(Math.max(1, id - 30), id - 1));
      const subtasks = [];
      for (let s = 1, n = r.int(0, 4); s <= n; s++) {
        subtasks.push({
          id: s,
          title: `Step ${s}: ${paragraph(r, 1).slice(0, 60)}`,
          description: paragraph(r, 1),
          details: r.chance(0.3) ? paragraph(r, 1) : '',
          status: r.weighted(STATUSES),
          dependencies: s > 1 && r.chance(0.6) ? [s - 1] : [],
          parentTaskId: id,
        });
      }
      tasks.push({
        id,
        title: paragraph(r, 1).slice(0, 70),
        description: paragraph(r, 1),
        details: paragraph(r, r.int(1, 4)),
        testStrategy: paragraph(r, r.int(1, 2)),
        status: r.weighted(STATUSES),
        dependencies: [...new Set(deps)],
        priority: r.pick(PRIORITIES),
        subtasks,
      });
    }
    out[tag] = {
      tasks,
      metadata: {
        created: '2026-10-01T00:00:00.000Z',
        updated: '2026-10-02T00:00:00.000Z',
        description: `Tasks for ${tag} context`,
      },
    };
  });
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * A CO repository: `tasks/index.json` with `items` registry rows (long ids, paths, owners, evidence
 * and notes CO keeps but we do not import) and the spec and PRD files most items name; a few
 * references are left dangling, as in the real repository.
 */
export function coRepo(dir, { items = 1380, seed = 1700 } = {}) {
  const r = rng(seed);
  const rows = [];
  const docs = {};
  for (let i = 1; i <= items; i++) {
    const slug = `${String(i).padStart(4, '0')}-${paragraph(r, 1)
      .split(' ')
      .slice(0, 6)
      .join('-')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '')}`;
    const spec = `tasks/specs/${slug}.md`;
    const prd = `docs/PRD-${slug}.md`;
    const status = r.weighted([
      ['done', 6],
      ['in_progress', 2],
      ['pending', 1],
      ['blocked', 0.3],
    ]);
    rows.push({
      id: `2026${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}-${slug}`,
      title: `CO: ${paragraph(r, 1).slice(0, 90)}`,
      relates_to: `tasks/tasks-${slug}.md`,
      risk: r.pick(['low', 'medium', 'high']),
      owners: r.chance(0.3) ? ['Codex', 'Platform'] : ['Codex'],
      status,
      last_review: '2026-10-01',
      approvals: {},
      paths: {
        spec,
        prd,
        task: `tasks/tasks-${slug}.md`,
        agent_task: `.agent/task/${slug}.md`,
        docs: `docs/TECH_SPEC-${slug}.md`,
      },
      evidence: Array.from(
        { length: r.int(1, 4) },
        (_, k) => `.runs/${slug}/cli/2026-10-0${1 + k}T00-00-00Z/manifest.json`,
      ),
      notes: paragraph(r, r.int(1, 3)),
      ...(status === 'done' ? { completed_at: '2026-10-15' } : {}),
    });
    // CO's own mini-specs have no front matter of ours; a few items name documents that are gone
    if (!r.chance(0.05))
      docs[spec] = `# Technical Spec — ${slug}\n\nlast_review: 2026-10-01\n\n${paragraph(r, 4)}\n`;
    if (!r.chance(0.05)) docs[prd] = `# PRD — ${slug}\n\n## Summary\n\n${paragraph(r, 4)}\n`;
  }
  docs['tasks/index.json'] = `${JSON.stringify({ items: rows }, null, 2)}\n`;
  for (const [file, text] of Object.entries(docs)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return join(dir, 'tasks/index.json');
}
