/**
 * Text from task files, specs, git and agents, made safe to show on a terminal. Control characters
 * (C0, DEL, C1) and the bidirectional overrides become visible escapes (`\x1b`, `\r`, `\u009b`,
 * `\u202e`), so a title or an agent's output cannot move the cursor, clear the screen, set the
 * window title, rewrite a line with CR or reorder what a reviewer reads.
 *
 * DEL, C1 and the bidi controls are written `\uXXXX`: that is also a JSON string escape, so a JSON
 * document passed through stays valid and means the same (JSON.stringify escapes C0 itself).
 */

// C0, DEL, C1, and the embeddings, overrides and isolates of the bidi algorithm
const UNSAFE = '[\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]';
// the same, but a multi-line block keeps its line breaks and tabs
const UNSAFE_IN_BLOCK = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]';
const ALL = new RegExp(UNSAFE, 'g');
const ALL_IN_BLOCK = new RegExp(UNSAFE_IN_BLOCK, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (NAMED[c]) return NAMED[c];
  const hex = code.toString(16).padStart(code < 0x20 ? 2 : 4, '0');
  return code < 0x20 ? `\\x${hex}` : `\\u${hex}`;
}

/** One line of untrusted text: every control character, line breaks and tabs included, escaped. */
export function escapeTerminal(text: string): string {
  return text.replace(ALL, visible);
}

/** A block of text meant to span lines: as `escapeTerminal`, but `\n` and `\t` stay. */
export function escapeTerminalBlock(text: string): string {
  return text.replace(ALL_IN_BLOCK, visible);
}

/** Where the first character the escaping would rewrite is in `text`, or -1. */
export function firstControlCharacter(text: string, block = false): number {
  return text.search(block ? ALL_IN_BLOCK : ALL);
}

/** The distinct characters the escaping would rewrite in `text`, as it would show them, in order. */
export function controlCharactersIn(text: string, block = false): string[] {
  return [...new Set(text.match(block ? ALL_IN_BLOCK : ALL) ?? [])].map(visible);
}
