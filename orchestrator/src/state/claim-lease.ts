/**
 * Whether a claim's lease has run out at `now` (ms). A claim without a lease (the local ledger's)
 * never does, nor does any claim when no time is given.
 */
export function leaseExpired(claim: { leaseUntil?: string }, now: number | undefined): boolean {
  return now !== undefined && claim.leaseUntil !== undefined && Date.parse(claim.leaseUntil) < now;
}
