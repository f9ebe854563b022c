/**
 * The wait before retry `attempt` (1-based) of a compare-and-swap that lost a race: exponential from
 * `baseMs`, capped at `capMs`, with "equal jitter" (half fixed, half random) so writers that lost to
 * each other do not collide again in lockstep.
 */
export function jitteredBackoff(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
