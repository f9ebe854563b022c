/**
 * The outcomes of the commands an agent reports in its transcript (`command_finished`: an exit
 * code from Codex and the builtin agent, `isError` from Claude Code). They are the agent's own
 * account, never evidence of success; but an agent whose every command failed (a broken sandbox
 * refusing all of them, say) has not done its work, whatever it concludes.
 */
export class CommandOutcomes {
  private ran = 0;
  private failed = 0;
  private lastFailure = '';

  /** Commands without an exit status (timed out, killed, declined) count neither way. */
  see(event: Record<string, unknown>): void {
    if (event.type !== 'command_finished') return;
    let failed: boolean;
    if (typeof event.exitCode === 'number') failed = event.exitCode !== 0;
    else if (typeof event.isError === 'boolean') failed = event.isError;
    else return;
    this.ran++;
    if (!failed) return;
    this.failed++;
    this.lastFailure = typeof event.command === 'string' ? event.command : '';
  }

  /** Why the agent's work does not count, when every command it ran failed. */
  allFailed(): string | undefined {
    if (this.ran === 0 || this.failed < this.ran) return undefined;
    const last = this.lastFailure ? `; the last: ${this.lastFailure.slice(0, 200)}` : '';
    return `every command the agent ran failed (${this.ran})${last}`;
  }
}
