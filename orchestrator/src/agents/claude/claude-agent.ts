import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '../../runs/process-runner.js';
import type { Sandbox } from '../../runs/sandbox/sandbox.js';
import type { Agent, AgentContext, AgentResult } from '../agent.js';
import { costOfUsage } from '../usage-cost.js';
import type { ResolvedClaudeSettings } from './settings.js';
import { ClaudeStream } from './stream-json.js';

/** Linux refuses a single argument over 128 KiB; a longer prompt goes through stdin. */
const MAX_PROMPT_ARG_BYTES = 100_000;

/**
 * The `claude` adapter: Claude Code in print mode (`claude -p`) in the run's worktree, its
 * stream-json lines turned into the transcript, cost and usage taken from its result line. It
 * gets a config directory of the run's own, so the user's Claude Code settings are not used.
 *
 * It runs inside the run's sandbox with the network allowed (it calls its model endpoint), and so
 * do the commands of its Bash tool; Claude Code's own sandbox (`sandbox.enabled` in its settings)
 * is not turned on: ours confines the agent and its commands together.
 */
export class ClaudeAgent implements Agent {
  constructor(
    readonly spec: string,
    private readonly settings: ResolvedClaudeSettings,
  ) {}

  sandboxFor(sandbox: Sandbox): Sandbox {
    return sandbox.with({
      network: 'allow',
      note: "claude: the network is allowed for Claude Code's model endpoint, and so for the commands its Bash tool runs in the same sandbox",
    });
  }

  async run(ctx: AgentContext): Promise<AgentResult> {
    const { settings } = this;
    const configDir = join(ctx.outputDir, 'agents', 'claude-config');
    await rm(configDir, { recursive: true, force: true });
    await mkdir(configDir, { recursive: true });
    // a prompt starting with "-" would read as an option
    const viaStdin = Buffer.byteLength(ctx.prompt) > MAX_PROMPT_ARG_BYTES || ctx.prompt.startsWith('-');
    const argv = [
      settings.binary,
      '-p',
      ...(viaStdin ? [] : [ctx.prompt]),
      '--output-format',
      'stream-json',
      '--verbose',
      '--allowedTools',
      settings.allowed_tools.join(','),
      ...(settings.model ? ['--model', settings.model] : []),
      ...(settings.max_turns ? ['--max-turns', String(settings.max_turns)] : []),
    ];
    const env = {
      ...ctx.env,
      ANTHROPIC_BASE_URL: settings.base_url,
      ANTHROPIC_API_KEY: settings.apiKey,
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    const stream = new ClaudeStream(ctx);
    if (settings.model) stream.model = settings.model;
    const stderrTail: string[] = [];
    let result;
    try {
      result = await runProcess({
        command: argv,
        cwd: ctx.workdir,
        env,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        // stdin is /dev/null unless it carries the prompt: print mode would wait for it otherwise
        ...(viaStdin ? { stdin: ctx.prompt } : {}),
        outputDir: join(ctx.outputDir, 'agents'),
        name: ctx.role,
        maxLogBytes: ctx.maxLogBytes,
        redactor: ctx.redactor,
        onSpawn: ctx.onSpawn,
        sandbox: ctx.sandbox?.with({ writable: [configDir] }),
        onLine: (which, line) => {
          if (which === 'stdout') stream.line(line);
          else if (line.trim() && stderrTail.push(line) > 10) stderrTail.shift();
        },
      });
    } finally {
      // Claude Code keeps unredacted session transcripts there, and the run directory is committed
      await rm(configDir, { recursive: true, force: true }).catch(() => {});
    }
    if (result.pid) ctx.onExit?.(result.pid);

    const outcome = stream.outcome;
    const base = {
      model: stream.model ?? null,
      usage: outcome?.usage ?? null,
      // Claude Code's own figure when it reports one; else its usage at the config's prices
      costUsd: outcome?.costUsd ?? costOfUsage(outcome?.usage, settings.prices),
      artifacts: [
        { name: `agents/${ctx.role}.stdout.log`, truncated: result.stdout.truncated },
        { name: `agents/${ctx.role}.stderr.log`, truncated: result.stderr.truncated },
      ],
    };
    const fail = (code: string, message: string): AgentResult => ({
      status: 'failed',
      summary: message,
      error: { code, message: `claude adapter: ${message}` },
      ...base,
    });
    if (result.pid === 0) {
      const reason = result.error ?? 'not started';
      return /not found|ENOENT/i.test(reason)
        ? fail(
            'AgentNotFound',
            `cannot run "${settings.binary}": not found; set CXO_CLAUDE_BIN or agents.claude.binary`,
          )
        : fail('AdapterFailed', `cannot run "${settings.binary}": ${reason}`);
    }
    if (result.cancelled) return { status: 'cancelled', summary: 'cancelled', ...base };
    if (result.timedOut) return fail('Timeout', `"claude -p" timed out after ${ctx.timeoutMs} ms`);
    if (outcome?.isError) {
      return fail(
        'AdapterFailed',
        `Claude Code ended with ${outcome.subtype}: ${oneLine(outcome.text) || 'no reason given'}`,
      );
    }
    if (result.exitCode !== 0 || !outcome) {
      const why = stderrTail.at(-1) ?? (outcome ? '' : 'no result line');
      return fail(
        'AdapterFailed',
        `"${settings.binary} -p" exited with ${result.exitCode ?? result.signal}${why ? `: ${why}` : ''}`,
      );
    }
    return { status: 'succeeded', summary: oneLine(outcome.text || stream.lastMessage) || 'done', ...base };
  }
}

function oneLine(text: string): string {
  const s = text.trim().replace(/\s+/g, ' ');
  return s.length > 500 ? `${s.slice(0, 500)}...` : s;
}
