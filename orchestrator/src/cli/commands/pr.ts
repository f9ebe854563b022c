import { connectGitHub } from '../../github/github-repo.js';
import { publishRun } from '../../github/publish-run.js';
import { loadObservedIndex } from '../../state/observed-index.js';
import { resolveRunTarget } from '../../review/resolve-run.js';
import type { CommandHandler } from '../command-table.js';
import { openGitRepo } from '../open-repo.js';

/** `cxo pr TARGET`: the run's branch pushed and its pull request opened or updated on GitHub. */
const pr: CommandHandler = async ({ cwd, args, options, out }) => {
  const { root, config } = await openGitRepo(cwd);
  const { index } = loadObservedIndex(root, config, 'full');
  const { dir, manifest } = resolveRunTarget(root, index, args.target!);
  const gh = connectGitHub(root, config, process.env);
  const published = await publishRun(root, config, gh, dir, manifest, { draft: Boolean(options.draft) });
  if (options.json) out.json({ run: manifest.run.id, ...published });
  else {
    out.line(
      `${published.created ? 'opened' : 'updated'} pull request #${published.number}: ${published.url}`,
    );
    out.line(
      `  ${published.branch} pushed; ${config.github.status_context} = ${published.state} on ${published.sha.slice(0, 12)}`,
    );
  }
  return 0;
};
export default pr;
