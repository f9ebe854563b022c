import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Registration, registerMergeDriver } from '../../git/merge-driver-config.js';
import { personName } from '../../git/person.js';
import {
  AGENTS_SECTION_START,
  agentsSection,
  GITATTRIBUTES_LINE,
  GUARD_WORKFLOW_PATH,
  REVIEW_CHECKLIST_PATH,
  REVIEW_WORKFLOW_PATH,
  reviewWorkflow,
  scaffoldFiles,
} from '../../init/templates.js';
import { VERSION } from '../../generated/version.js';
import { withLineAppended } from '../../repo/append-line.js';
import { withRunsIgnored } from '../../state/runs-ignored.js';
import { FileExistsError, writeFileAtomic } from '../../repo/atomic-write.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

const init: CommandHandler = async ({ cwd, options, out }) => {
  const { root } = await openGitRepo(cwd);
  const files = scaffoldFiles({
    today: new Date().toISOString().slice(0, 10),
    author: personName(root) ?? 'owner',
    testCommand: testCommand(root),
  });
  // a pull request review becomes a sign-off only where the team reviews on GitHub: opt in
  if (options['github-review']) files[REVIEW_WORKFLOW_PATH] = reviewWorkflow(VERSION);
  const created: string[] = [];
  const skipped: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileAtomic(path, content, { createOnly: true });
      created.push(file);
    } catch (e) {
      if (!(e instanceof FileExistsError)) throw e;
      skipped.push(file);
    }
  }
  const section = agentsSection();
  const agentsPath = join(root, 'AGENTS.md');
  const agents = existsSync(agentsPath) ? readFileSync(agentsPath, 'utf8') : undefined;
  if (agents === undefined) {
    writeFileAtomic(agentsPath, `# AGENTS.md\n\n${section}`);
    created.push('AGENTS.md');
  } else if (agents.includes(AGENTS_SECTION_START)) {
    skipped.push('AGENTS.md (section)');
  } else {
    writeFileAtomic(agentsPath, `${agents}${agents.endsWith('\n') ? '' : '\n'}\n${section}`);
    created.push('AGENTS.md (section appended)');
  }
  const attributesPath = join(root, '.gitattributes');
  const attributes = existsSync(attributesPath) ? readFileSync(attributesPath, 'utf8') : undefined;
  if (attributes === undefined) {
    writeFileAtomic(attributesPath, `${GITATTRIBUTES_LINE}\n`);
    created.push('.gitattributes');
  } else if (attributes.split(/\r?\n/).some((line) => line.trim() === GITATTRIBUTES_LINE)) {
    skipped.push('.gitattributes merge driver line');
  } else {
    writeFileAtomic(attributesPath, withLineAppended(attributes, GITATTRIBUTES_LINE));
    created.push('.gitattributes (merge driver line appended)');
  }
  // run evidence goes to the state ref; the local copies under .runs/ are never committed
  const ignorePath = join(root, '.gitignore');
  const ignore = existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined;
  const ignored = withRunsIgnored(ignore ?? '');
  if (ignored === ignore) skipped.push('.gitignore .runs/ line');
  else {
    writeFileAtomic(ignorePath, ignored);
    created.push(ignore === undefined ? '.gitignore' : '.gitignore (.runs/ line appended)');
  }
  const mergeDriver = registerMergeDriver(root);
  if (mergeDriver === 'registered') created.push(MERGE_DRIVER_ITEM);
  else if (mergeDriver === 're-registered')
    created.push(`${MERGE_DRIVER_ITEM}, replacing one that could not start`);
  else skipped.push(MERGE_DRIVER_ITEM);
  if (options.json) {
    out.json({ root, created, skipped, mergeDriver });
    return 0;
  }
  for (const f of created) out.line(`created  ${f}`);
  for (const f of skipped)
    out.line(`skipped  ${f} (${f === MERGE_DRIVER_ITEM ? WHY_SKIPPED[mergeDriver] : 'already exists'})`);
  if (created.includes(GUARD_WORKFLOW_PATH)) {
    out.line(
      `\n${GUARD_WORKFLOW_PATH} runs \`cxo guard\` on pull requests once you push it (docs/guard.md, "GitHub")`,
    );
  }
  if (created.includes(REVIEW_WORKFLOW_PATH)) {
    out.line(
      `${REVIEW_WORKFLOW_PATH} records pull request reviews of run branches as sign-offs (docs/gitops.md)`,
    );
  }
  if (created.includes(REVIEW_CHECKLIST_PATH)) {
    out.line(`${REVIEW_CHECKLIST_PATH} is what a reviewer checks in a run's manifest before \`cxo review\``);
  }
  out.line(
    created.length
      ? '\nnext: cxo validate, then cxo tasks list'
      : '\nnothing to do: everything is already in place',
  );
  return 0;
};
export default init;

const MERGE_DRIVER_ITEM = 'git config merge.codex-tasks (merge driver for codex.tasks.json)';

const WHY_SKIPPED: Partial<Record<Registration, string>> = {
  'already registered': 'already registered',
  'kept: not ours':
    "a command that is not cxo's is registered: kept; `cxo validate` says whether it can start",
};

function testCommand(root: string): string {
  if (existsSync(join(root, 'package.json'))) return 'npm test';
  if (existsSync(join(root, 'Makefile'))) return 'make test';
  return 'git diff --check';
}
