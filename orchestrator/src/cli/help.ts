import { VERSION } from '../generated/version.js';
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, GROUPS, type OptionSpec } from './command-table.js';

/** `cxo --help`, or the help of a command group such as `cxo tasks`. */
export function mainHelp(group?: string): string {
  const commands = group ? COMMANDS.filter((c) => c.name.startsWith(`${group} `)) : COMMANDS;
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = [
    group
      ? `cxo ${group}: ${GROUPS[group]}`
      : `codex-orchestrator ${VERSION}: a GitOps orchestrator for AI coding agents`,
    '',
    `Usage: cxo ${group ?? '<command>'}${group ? ' <command>' : ''} [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
    ...(group ? [] : ['  -V, --version               print the version']),
    '',
    `Run \`cxo <command> --help\` for a command's options.`,
    'Exit codes: 0 ok, 1 violations or failure, 2 usage or configuration error, 3 internal error.',
    ...(group
      ? []
      : [
          '',
          'The repository is the nearest directory at or above the current one (or --repo DIR) that has a',
          '.git; task files in a directory above it do not count. Outside any git repository, read commands',
          'use the nearest directory with codex.tasks.json or codex.config.yaml, and the commands that need',
          'git (init, run, watch, resume, cancel, review, pr, push, runs clean) exit 2.',
          'Text from files, git and agents is printed with control characters escaped (\\x1b, \\r, \\u009b).',
        ]),
  ];
  return lines.join('\n');
}

export function usageLine(command: CommandSpec): string {
  const args = command.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ');
  return `cxo ${command.name}${args ? ` ${args}` : ''}${command.options.length ? ' [options]' : ''}`;
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (command.args.length) {
    lines.push('', 'Arguments:');
    for (const a of command.args) lines.push(`  ${a.name.padEnd(20)}${a.description}`);
  }
  lines.push('', 'Options:', ...formatOptions([...command.options, ...GLOBAL_OPTIONS]));
  if (command.examples.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

function formatOptions(options: OptionSpec[]): string[] {
  return options.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(28)}${o.description}`;
  });
}
