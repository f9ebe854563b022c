import type { Prices } from '../repo/agent-config.js';

/**
 * What a step's reported usage costs at `prices` (USD per million tokens of `input_tokens` and
 * `output_tokens`, as every adapter spells them in the manifest); null without prices or usage.
 */
export function costOfUsage(
  usage: Readonly<Record<string, number>> | null | undefined,
  prices: Prices | undefined,
): number | null {
  if (!prices || !usage) return null;
  const input = usage.input_tokens ?? 0;
  const output = usage.output_tokens ?? 0;
  return (input * prices.input_per_mtok + output * prices.output_per_mtok) / 1e6;
}
