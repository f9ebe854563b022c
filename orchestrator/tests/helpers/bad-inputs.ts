import { indexJson, specText, VALID_SPEC } from './temp-repo.js';

/** Every bad input the repo-model issue lists, with the diagnostic `cxo validate` must give for it. */
export const task = { id: 'a', title: 'A', spec: 'specs/0001-a.md' };
export const goodSpec = specText(VALID_SPEC);

export const BAD_INPUTS: [name: string, files: Record<string, string | Uint8Array>, expected: RegExp][] = [
  [
    'truncated JSON',
    { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [\n' },
    /codex\.tasks\.json:3:\d+: error\[json-syntax\]: unexpected end of file/,
  ],
  [
    'a trailing comma',
    { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [],\n}\n' },
    /codex\.tasks\.json:3:14: error\[json-syntax\]: trailing comma/,
  ],
  [
    'a duplicate key',
    { 'codex.tasks.json': '{\n  "version": 1,\n  "tasks": [],\n  "tasks": []\n}\n' },
    /codex\.tasks\.json:4:3: error\[duplicate-key\]/,
  ],
  [
    'a wrong type',
    { 'codex.tasks.json': indexJson([{ id: 'a', title: 7 }]) },
    /codex\.tasks\.json:6:16: error\[schema\]: "tasks\[0\]\.title" must be a string, found number 7/,
  ],
  [
    'duplicate ids',
    {
      'codex.tasks.json': indexJson([
        { id: 'a', title: 'A' },
        { id: 'a', title: 'B' },
      ]),
    },
    /codex\.tasks\.json:9:13: error\[duplicate-id\]/,
  ],
  [
    'a dangling dependency',
    { 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', dependsOn: ['zz'] }]) },
    /codex\.tasks\.json:8:9: error\[dangling-reference\]: task "a" depends on "zz"/,
  ],
  [
    'a cycle',
    {
      'codex.tasks.json': indexJson([
        { id: 'a', title: 'A', dependsOn: ['b'] },
        { id: 'b', title: 'B', dependsOn: ['a'] },
      ]),
    },
    /error\[cycle\]: dependency cycle: a -> b -> a/,
  ],
  [
    'a path escaping the repo',
    { 'codex.tasks.json': indexJson([{ id: 'a', title: 'A', spec: '../../etc/x.md' }]) },
    /7:15: error\[path-escape\]/,
  ],
  [
    'a missing spec file',
    { 'codex.tasks.json': indexJson([task]) },
    /codex\.tasks\.json:7:15: error\[dangling-reference\]: task "a": spec file "specs\/0001-a\.md" does not exist/,
  ],
  [
    'unterminated front matter',
    { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\n# no end\n' },
    /specs\/0001-a\.md:1:1: error\[front-matter\]: front matter is not terminated/,
  ],
  [
    'YAML with tabs',
    { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\nowners:\n\t- x\n---\n' },
    /specs\/0001-a\.md:4:1: error\[yaml-syntax\]: tab used for indentation/,
  ],
  [
    'YAML with bad indentation',
    { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': '---\nid: a\nrisk:\n  x: 1\n y: 2\n---\n' },
    /specs\/0001-a\.md:5:\d+: error\[yaml-syntax\]: bad indentation/,
  ],
  [
    'an invalid date',
    {
      'codex.tasks.json': indexJson([task]),
      'specs/0001-a.md': specText({ ...VALID_SPEC, last_review: '2026-02-30' }),
    },
    /specs\/0001-a\.md:7:14: error\[invalid-date\]: "last_review" "2026-02-30" is not a real calendar date/,
  ],
  [
    'a binary file',
    { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': Buffer.from([0x2d, 0x2d, 0x00, 0x01]) },
    /specs\/0001-a\.md: error\[binary-file\]/,
  ],
  [
    'a non-UTF-8 file',
    {
      'codex.tasks.json': indexJson([task]),
      'specs/0001-a.md': Buffer.from('---\ntitle: caf\xe9\n---\n', 'latin1'),
    },
    /specs\/0001-a\.md:2:11: error\[encoding\]/,
  ],
  [
    'a file over the size cap',
    {
      'codex.config.yaml': 'limits:\n  max_file_bytes: 1024\n',
      'codex.tasks.json': indexJson([task]),
      'specs/0001-a.md': `${goodSpec}${'x'.repeat(2000)}`,
    },
    /specs\/0001-a\.md: error\[file-too-large\]/,
  ],
  [
    'a checklist item that does not exist',
    {
      'codex.tasks.json': indexJson([{ id: 'a', title: 'A', checklist: 'tasks/tasks-0001-x.md#3.1' }]),
      'tasks/tasks-0001-x.md': '- [ ] 1.0 One\n',
    },
    /error\[dangling-reference\]: task "a": tasks\/tasks-0001-x\.md has no item 3\.1/,
  ],
  [
    'a bad config',
    { 'codex.config.yaml': 'concurrency: lots\n', 'codex.tasks.json': indexJson([]) },
    /codex\.config\.yaml:1:14: error\[schema\]: "concurrency" must be an integer/,
  ],
];
