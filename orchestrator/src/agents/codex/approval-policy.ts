import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { AgentContext } from '../agent.js';
import type { PolicyLists } from '../../repo/agent-config.js';

export interface PolicyDecision {
  approved: boolean;
  /** The rule that decided: `deny:/RE/`, `allow:/RE/`, `no-allow-match`, `default-allow`, `outside-worktree`. */
  rule: string;
}

/**
 * The orchestrator's answer to an agent's request to run a command or change files, from the
 * configured allow/deny regular expressions. Every decision is written to the transcript and
 * counted, so a run shows what its agent was allowed to do and what it was refused.
 */
export class ApprovalPolicy {
  readonly counts = { approved: 0, declined: 0 };

  constructor(
    private readonly ctx: AgentContext,
    private readonly commands: PolicyLists,
    private readonly files: PolicyLists,
  ) {}

  /**
   * A command, as the agent will run it; `alsoKnownAs` are other spellings of it (the script inside
   * a `bash -lc` wrapper, parsed sub-commands), so a rule about `git push` matches however it is wrapped.
   */
  command(command: string, alsoKnownAs: string[] = []): PolicyDecision {
    const subjects = [...new Set([command, unwrapShell(command), ...alsoKnownAs].filter(Boolean))];
    const decision = decide(this.commands, subjects);
    this.record({ kind: 'command', command }, decision);
    return decision;
  }

  /** A change to files (paths absolute or relative to the worktree); all must be inside the worktree. */
  fileChange(paths: string[], grantRoot?: string | null): PolicyDecision {
    const root = resolve(this.ctx.workdir);
    const rels: string[] = [];
    let decision: PolicyDecision | undefined;
    for (const path of grantRoot ? [...paths, grantRoot] : paths) {
      const rel = relative(root, resolve(root, path));
      if (rel.startsWith('..') || isAbsolute(rel) || rel === '.git' || rel.startsWith(`.git${sep}`)) {
        decision ??= { approved: false, rule: 'outside-worktree' };
      }
      rels.push(rel || '.');
    }
    decision ??= decide(this.files, rels, true);
    this.record({ kind: 'file_change', files: paths }, decision);
    return decision;
  }

  /** A request this adapter cannot judge (an unknown kind): declined, and recorded as such. */
  unknown(kind: string, detail: Record<string, unknown>): PolicyDecision {
    const decision = { approved: false, rule: 'unsupported-request' };
    this.record({ kind, ...detail }, decision);
    return decision;
  }

  summary(): string {
    return `approvals: ${this.counts.approved} approved, ${this.counts.declined} declined`;
  }

  private record(subject: Record<string, unknown>, decision: PolicyDecision): void {
    if (decision.approved) this.counts.approved++;
    else this.counts.declined++;
    this.ctx.onEvent({
      type: 'approval',
      ...subject,
      decision: decision.approved ? 'approved' : 'declined',
      rule: decision.rule,
    });
  }
}

/** Deny wins if any subject matches a deny rule; with allow rules, one subject must match one (all, for files). */
function decide(lists: PolicyLists, subjects: string[], every = false): PolicyDecision {
  for (const pattern of lists.deny) {
    const re = new RegExp(pattern);
    if (subjects.some((s) => re.test(s))) return { approved: false, rule: `deny:/${pattern}/` };
  }
  if (lists.allow.length === 0) return { approved: true, rule: 'default-allow' };
  const allowing = (s: string) => lists.allow.find((p) => new RegExp(p).test(s));
  if (every) {
    const found = subjects.map(allowing);
    return found.every(Boolean)
      ? { approved: true, rule: `allow:/${found[0]}/` }
      : { approved: false, rule: 'no-allow-match' };
  }
  for (const s of subjects) {
    const pattern = allowing(s);
    if (pattern !== undefined) return { approved: true, rule: `allow:/${pattern}/` };
  }
  return { approved: false, rule: 'no-allow-match' };
}

/** `/bin/bash -lc 'script'` (how Codex runs commands) → `script`; anything else unchanged. */
export function unwrapShell(command: string): string {
  const m = /^(?:\S*\/)?(?:ba|z|da)?sh\s+-l?c\s+([\s\S]+)$/.exec(command.trim());
  if (!m) return command;
  const arg = m[1].trim();
  if (/^'(?:[^']|'\\'')*'$/.test(arg)) return arg.slice(1, -1).replace(/'\\''/g, "'");
  if (/^"(?:[^"\\]|\\.)*"$/.test(arg)) return arg.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  return /\s/.test(arg) ? command : arg;
}

/** argv as one shell-readable line, for the transcript and the policy. */
export function joinArgv(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
