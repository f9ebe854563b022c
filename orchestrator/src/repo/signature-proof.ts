/**
 * What git says about the commit that wrote an approval (or sign-off) entry: whether it is signed
 * by a key the trusted allowed-signers file maps to the person the entry names.
 */
export type SignatureProof =
  /** Signed by a trusted key whose principal is the name in the entry. */
  | { state: 'verified'; commit: string; principal: string }
  /** The entry is in the working tree only: no commit can vouch for it. */
  | { state: 'uncommitted' }
  | { state: 'unsigned'; commit: string }
  /** A good signature by a key the allowed-signers file does not list. */
  | { state: 'unknown-key'; commit: string; key: string }
  /** A signature that does not verify (tampered, expired, revoked, or not SSH). */
  | { state: 'bad-signature'; commit: string; status: string }
  /** A trusted key, but of someone other than the person the entry names. */
  | { state: 'mismatch'; commit: string; principal: string }
  /** The signed commit wrote a different entry; a later unsigned edit changed it. */
  | { state: 'rewritten'; commit: string }
  /** The repository has no allowed-signers file where it was looked up. */
  | { state: 'no-signers' };
