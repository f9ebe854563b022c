import { ExitCode, UsageError } from '../../errors.js';
import { reportToGitHub } from '../../guard/format-github.js';
import { formatGuardText } from '../../guard/format-text.js';
import type { CommandHandler } from '../command-table.js';
import { cacheEnabled } from '../open-repo.js';
import { runGuard, writeGuardReport } from '../run-guard.js';

const FORMATS = ['text', 'json', 'github'];

const guard: CommandHandler = async ({ cwd, options, out }) => {
  const format = options.json ? 'json' : ((options.format as string | undefined) ?? 'text');
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const { report } = await runGuard({
    cwd,
    base: options.base as string | undefined,
    head: options.head as string | undefined,
    now: options.now as string | undefined,
    override: options.override as string | undefined,
    cache: !options['no-cache'] && cacheEnabled(),
    env: process.env,
  });
  if (format === 'json') out.json(report);
  else if (format === 'github') await reportToGitHub(report, writeGuardReport(report, process.env));
  else out.line(formatGuardText(report, (style, text) => out.paint(style, text)));
  return report.passed ? ExitCode.Ok : ExitCode.Failure;
};
export default guard;
