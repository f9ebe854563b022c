import { ExitCode, InvalidRepoError } from '../../errors.js';
import { mergeDriverDiagnostics } from '../../git/merge-driver-config.js';
import { type Diagnostic, sortDiagnostics } from '../../repo/diagnostics.js';
import { loadRepo } from '../../repo/load-repo.js';
import { findRepoRoot } from '../../repo/repo-files.js';
import type { CommandHandler } from '../command-table.js';
import { cacheEnabled } from '../open-repo.js';
import { summarize } from '../output.js';

const validate: CommandHandler = async ({ cwd, options, out }) => {
  const root = findRepoRoot(cwd);
  let diagnostics: Diagnostic[];
  let counts: Record<string, number> | undefined;
  try {
    const model = await loadRepo(root, { cache: cacheEnabled() });
    diagnostics = model.diagnostics;
    counts = {
      tasks: model.index.tasks.length,
      specs: model.specs.size,
      prds: model.prds.size,
      checklists: model.checklists.size,
    };
  } catch (e) {
    // for validate, unreadable input is a finding (exit 1), not a usage error
    if (!(e instanceof InvalidRepoError)) throw e;
    diagnostics = e.diagnostics;
  }
  // a repository that routes its task index through the merge driver needs one that starts
  diagnostics = sortDiagnostics([...diagnostics, ...mergeDriverDiagnostics(root)]);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const failed = errors > 0 || (options.strict === true && warnings > 0);
  if (options.json) {
    out.json({ ok: !failed, errors, warnings, counts: counts ?? null, diagnostics });
  } else {
    out.diagnostics(diagnostics);
    if (diagnostics.length > 0) out.error('');
    const what = counts
      ? `${counts.tasks} tasks, ${counts.specs} specs, ${counts.prds} PRDs, ${counts.checklists} checklists`
      : 'the task index could not be loaded';
    (failed ? out.error.bind(out) : out.line.bind(out))(
      `${failed ? 'invalid' : 'valid'}: ${what} (${summarize(diagnostics)})`,
    );
  }
  return failed ? ExitCode.Failure : ExitCode.Ok;
};
export default validate;
