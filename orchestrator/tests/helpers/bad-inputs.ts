import { indexJson, specText, VALID_SPEC } from './temp-repo.js';

/** YAML whose aliases expand to 9^6 nodes ("billion laughs"). */
export const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`),
  '',
].join('\n');

/** `depth` nested arrays as a task's field value, on one line; the bracket past the limit is at column 314. */
export const deepIndex = (depth: number) =>
  `{"version": 1, "tasks": [{"id": "a", "title": "A", "extra": ${'['.repeat(depth)}${']'.repeat(depth)}}]}\n`;

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
    'JSON nested 5,000 levels deep',
    { 'codex.tasks.json': deepIndex(5000) },
    /codex\.tasks\.json:1:314: error\[nesting-too-deep\]: objects and arrays nest deeper than 256 levels/,
  ],
  [
    'JSON nested 5,000 levels deep with a syntax error after it',
    { 'codex.tasks.json': deepIndex(5000).replace(/\]\}\]\}\n$/, '') },
    /codex\.tasks\.json:1:314: error\[nesting-too-deep\]/,
  ],
  [
    'a YAML alias bomb in the config',
    { 'codex.config.yaml': ALIAS_BOMB, 'codex.tasks.json': indexJson([]) },
    /codex\.config\.yaml:2:\d+: error\[yaml-alias\]: aliases expand to more than 100 nodes/,
  ],
  [
    'a YAML alias with no anchor in the config',
    { 'codex.config.yaml': 'concurrency: *n\n', 'codex.tasks.json': indexJson([]) },
    /codex\.config\.yaml:1:14: error\[yaml-alias\]: alias \*n has no anchor &n before it/,
  ],
  [
    'a YAML alias inside its own anchor in the config',
    { 'codex.config.yaml': 'guard: &g {x: *g}\n', 'codex.tasks.json': indexJson([]) },
    /codex\.config\.yaml:1:15: error\[yaml-alias\]: alias \*g is inside the value it refers to/,
  ],
  [
    'YAML nested 5,000 levels deep in the config',
    {
      'codex.config.yaml': `guard: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      'codex.tasks.json': indexJson([]),
    },
    /codex\.config\.yaml:1:\d+: error\[nesting-too-deep\]/,
  ],
  [
    'a YAML alias bomb in spec front matter',
    { 'codex.tasks.json': indexJson([task]), 'specs/0001-a.md': `---\n${ALIAS_BOMB}---\n` },
    /specs\/0001-a\.md:3:\d+: error\[yaml-alias\]: aliases expand/,
  ],
  [
    'a YAML alias with no anchor in PRD front matter',
    { 'codex.tasks.json': indexJson([]), 'tasks/0001-prd-x.md': '---\ntitle: *t\n---\n# PRD\n' },
    /tasks\/0001-prd-x\.md:2:8: error\[yaml-alias\]: alias \*t has no anchor/,
  ],
  [
    'a YAML alias bomb in PRD front matter',
    { 'codex.tasks.json': indexJson([]), 'tasks/0001-prd-x.md': `---\n${ALIAS_BOMB}---\n# PRD\n` },
    /tasks\/0001-prd-x\.md:3:\d+: error\[yaml-alias\]: aliases expand/,
  ],
  ...(['a..b', 'x.lock', 'trailing.'] as const).map((id): [string, Record<string, string>, RegExp] => [
    `a task id git refuses as a branch name (${id})`,
    { 'codex.tasks.json': indexJson([{ id, title: 'A' }]) },
    /codex\.tasks\.json:5:13: error\[invalid-id\]: task id ".*" (contains "\.\."|has a part ending with "\.lock"|ends with "\.")/,
  ]),
  [
    'a bad config',
    { 'codex.config.yaml': 'concurrency: lots\n', 'codex.tasks.json': indexJson([]) },
    /codex\.config\.yaml:1:14: error\[schema\]: "concurrency" must be an integer/,
  ],
];
