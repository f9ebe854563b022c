import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CxoError, ExitCode, UsageError } from '../errors.js';
import { VERSION } from '../generated/version.js';
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, GROUPS } from './command-table.js';
import { commandHelp, mainHelp } from './help.js';
import { Output, summarize } from './output.js';

export interface RunIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs one command line and returns its exit code. Every error becomes a message and an exit code here. */
export async function run(argv: string[], io: RunIo): Promise<number> {
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  const out = new Output(io.stdout, io.stderr, color);
  const wantsJson = argv.includes('--json');
  try {
    if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
      out.line(VERSION);
      return ExitCode.Ok;
    }
    const { command, rest, group } = findCommand(argv);
    if (!command) {
      if (group) {
        out.line(mainHelp(group));
        return argv.length === 1 || argv.includes('--help') || argv.includes('-h')
          ? ExitCode.Ok
          : ExitCode.Usage;
      }
      if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
        const topic = argv[0] === 'help' && argv.length > 1 ? findCommand(argv.slice(1)).command : undefined;
        out.line(topic ? commandHelp(topic) : mainHelp());
        return ExitCode.Ok;
      }
      throw new UsageError(`unknown command "${argv[0]}"`, 'run `cxo --help` to list the commands');
    }
    const parsed = parseCommandLine(command, rest);
    if (parsed.options.help) {
      out.line(commandHelp(command));
      return ExitCode.Ok;
    }
    const handler = (await command.load()).default;
    const cwd = typeof parsed.options.repo === 'string' ? resolve(io.cwd, parsed.options.repo) : io.cwd;
    return await handler({ args: parsed.args, options: parsed.options, cwd, out });
  } catch (e) {
    return reportError(e, out, wantsJson);
  }
}

function findCommand(argv: string[]): { command?: CommandSpec; rest: string[]; group?: string } {
  // global options may come before the command: `cxo -C DIR tasks list`
  const leading: string[] = [];
  while (argv[0] === '-C' || argv[0] === '--repo' || argv[0]?.startsWith('--repo=')) {
    const take = argv[0].includes('=') ? 1 : 2;
    leading.push(...argv.slice(0, take));
    argv = argv.slice(take);
  }
  const found = findCommandWords(argv);
  return { ...found, rest: [...found.rest, ...leading] };
}

function findCommandWords(argv: string[]): { command?: CommandSpec; rest: string[]; group?: string } {
  const words: string[] = [];
  for (const token of argv) {
    if (token.startsWith('-')) break;
    words.push(token);
    if (words.length === 2) break;
  }
  for (let n = words.length; n >= 1; n--) {
    const name = words.slice(0, n).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(n) };
  }
  if (words[0] && GROUPS[words[0]]) {
    if (words[1])
      throw new UsageError(`unknown command "${words[0]} ${words[1]}"`, `run \`cxo ${words[0]} --help\``);
    return { rest: argv.slice(1), group: words[0] };
  }
  return { rest: argv };
}

function parseCommandLine(
  command: CommandSpec,
  rest: string[],
): {
  args: Record<string, string | undefined>;
  options: Record<string, string | boolean | string[] | undefined>;
} {
  const options = Object.fromEntries(
    [...GLOBAL_OPTIONS, ...command.options].map((o) => [
      o.name,
      { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(
      String((e as Error).message).replace(/\. To specify a positional.*$/s, ''),
      `run \`cxo ${command.name} --help\``,
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) return { args: {}, options: values };
  const args: Record<string, string | undefined> = {};
  const positionals = parsed.positionals;
  command.args.forEach((spec, i) => {
    args[spec.name] = positionals[i];
    if (spec.required && positionals[i] === undefined) {
      throw new UsageError(
        `missing argument <${spec.name}>`,
        `usage: cxo ${command.name} ${command.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ')}`,
      );
    }
  });
  if (positionals.length > command.args.length) {
    throw new UsageError(
      `unexpected argument "${positionals[command.args.length]}"`,
      `run \`cxo ${command.name} --help\``,
    );
  }
  return { args, options: values };
}

function reportError(e: unknown, out: Output, json: boolean): number {
  if (e instanceof CxoError) {
    if (json) {
      out.json({
        ok: false,
        error: { kind: e.name, message: e.message, hint: e.hint, diagnostics: e.diagnostics },
      });
    } else {
      out.diagnostics(e.diagnostics);
      if (e.diagnostics.length > 0) out.error('');
      out.error(`cxo: ${e.message}${e.diagnostics.length > 0 ? ` (${summarize(e.diagnostics)})` : ''}`);
      if (e.hint) out.error(`hint: ${e.hint}`);
      if (e.exitCode !== ExitCode.Failure && e.diagnostics.length > 0) out.error('nothing was written');
    }
    return e.exitCode;
  }
  const err = e as Error;
  if (json) out.json({ ok: false, error: { kind: 'InternalError', message: err?.message ?? String(e) } });
  else {
    out.error(`cxo: internal error: ${err?.stack ?? String(e)}`);
    out.error('This is a bug in codex-orchestrator; please report it with the command you ran.');
  }
  return ExitCode.Internal;
}
