import { secretForms, splitTolerantSource } from './secret-forms.js';

/**
 * Keeps secrets out of everything a run writes: logs, transcripts, manifests and events.
 *
 * A redactor knows three sorts of secret: well-known credential formats (built in), the values of
 * the orchestrator's own secret-looking environment variables, and the extra regular expressions of
 * `redaction.patterns` in codex.config.yaml. Each occurrence becomes `[REDACTED:<kind>]`. A known
 * value is also found encoded (base64, hex, URL) and split over lines (see `secret-forms.ts`).
 *
 * Where several rules match, the leftmost match wins, then the longest, then the first rule in the
 * order below (most specific first): a `sk-ant-` key is reported as `anthropic-key`, not as
 * `openai-key`, and a token that merely contains a shorter secret is replaced as a whole, so
 * no part of it is left readable.
 */

export interface Redactor {
  /** The text with every secret replaced by `[REDACTED:<kind>]`. */
  redact(text: string): string;
  /**
   * Redacts strings that follow one another (the output lines of a transcript) as one text, so a
   * secret split over several of them is found too: the first part becomes `[REDACTED:<kind>]`,
   * the rest is removed. Returns as many strings as it was given.
   */
  redactSeries(texts: readonly string[]): string[];
  /** Where the secrets in `text` are (what `redact` would replace), left to right; not counted. */
  find(text: string): SecretMatch[];
  /** How many replacements this redactor has made so far, across all calls. */
  readonly count: number;
}

export interface SecretMatch {
  kind: string;
  /** The span in the text searched: for a split or glued value, from its first character to its last. */
  index: number;
  length: number;
}

interface Rule {
  kind: string;
  /** Always global, so a search can start at `lastIndex`. */
  regex: RegExp;
}

const PEM_LABEL = String.raw`(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`;
const PRIVATE_KEY_BEGIN = String.raw`-----BEGIN ${PEM_LABEL}`;
const PRIVATE_KEY_END = String.raw`-----END ${PEM_LABEL}`;

/** Environment variables whose values are secrets, by name. */
const SECRET_ENV_NAME = /TOKEN|SECRET|KEY|PASSWORD/i;
/** Shorter values are not redacted: `KEY=1` must not turn every "1" into a redaction. */
const MIN_ENV_VALUE_LENGTH = 8;

/** The built-in rules, most specific first. */
const BUILT_IN: ReadonlyArray<{ kind: string; source: string; flags?: string }> = [
  {
    // a whole block, across lines; an unterminated block (cut-off output) is redacted to the end
    kind: 'private-key',
    source: `${PRIVATE_KEY_BEGIN}(?:[\\s\\S]*?${PRIVATE_KEY_END}|[\\s\\S]*)`,
  },
  { kind: 'anthropic-key', source: String.raw`\bsk-ant-[A-Za-z0-9_-]{20,}` },
  {
    // project, service-account and admin keys; any key with OpenAI's "T3BlbkFJ" marker; legacy sk-<48>
    kind: 'openai-key',
    source: String.raw`\bsk-(?!ant-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]*|[A-Za-z0-9]{20,})`,
  },
  { kind: 'github-token', source: String.raw`(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{82,}` },
  { kind: 'github-token', source: String.raw`(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}` },
  { kind: 'aws-access-key', source: String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b` },
  {
    // only when labelled (`aws_secret_access_key = ...`, `"SecretAccessKey": "..."`); the label stays
    kind: 'aws-secret-key',
    source: String.raw`(?<=(?:aws[_-]?)?secret[_-]?access[_-]?key["']?\s*(?:=>|=|:)\s*["']?)[A-Za-z0-9/+=]{20,}`,
    flags: 'i',
  },
];

/**
 * A redactor for the built-in formats, the values of the variables in `env` whose name contains
 * TOKEN, SECRET, KEY or PASSWORD or is one of `names` (values of at least 8 characters), in every
 * form `secretForms` derives, and `patterns` (regular expression sources, as in
 * `redaction.patterns`; an invalid one throws).
 */
export function createRedactor({
  env,
  patterns,
  names = [],
}: {
  env: NodeJS.ProcessEnv;
  patterns: readonly string[];
  /** More variables whose values are secrets whatever their name (an adapter's `api_key_env`). */
  names?: readonly string[];
}): Redactor {
  const rules: Rule[] = BUILT_IN.map((r) => ({
    kind: r.kind,
    regex: new RegExp(r.source, `g${r.flags ?? ''}`),
  }));
  rules.push(...envRules(env, new Set(names)));
  for (const pattern of patterns) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'g');
    } catch (e) {
      throw new Error(`invalid redaction pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    rules.push({ kind: 'pattern', regex });
  }

  let count = 0;
  return {
    get count() {
      return count;
    },
    find: (text) => findAll(text, rules),
    redact(text: string): string {
      if (text === '') return text;
      const matches = findAll(text, rules);
      if (matches.length === 0) return text;
      count += matches.length;
      let output = '';
      let position = 0;
      for (const m of matches) {
        output += `${text.slice(position, m.index)}[REDACTED:${m.kind}]`;
        position = m.index + m.length;
      }
      return output + text.slice(position);
    },
    redactSeries(texts: readonly string[]): string[] {
      const joined = texts.join('\n');
      const matches = findAll(joined, rules);
      if (matches.length === 0) return [...texts];
      count += matches.length;
      return cutSeries(joined, texts, matches);
    },
  };
}

/** Each of `texts` (joined by newlines into `joined`) with the parts `matches` cover cut out. */
function cutSeries(joined: string, texts: readonly string[], matches: readonly SecretMatch[]): string[] {
  const out: string[] = [];
  let start = 0;
  let m = 0;
  for (const text of texts) {
    const end = start + text.length;
    let piece = '';
    let position = start;
    while (m < matches.length && matches[m].index < end) {
      const { index, length, kind } = matches[m];
      const matchEnd = index + length;
      if (matchEnd > start) {
        piece += joined.slice(position, Math.max(index, start));
        if (index >= start) piece += `[REDACTED:${kind}]`;
        position = Math.min(matchEnd, end);
      }
      // a match that goes on into the next text is cut there too
      if (matchEnd > end) break;
      m++;
    }
    out.push(piece + joined.slice(position, end));
    start = end + 1;
  }
  return out;
}

/**
 * One rule per distinct form of a secret value, longest first, each matching the form with glue
 * between its characters: a split value is reported as the span from its first character to its last.
 */
function envRules(env: NodeJS.ProcessEnv, names: ReadonlySet<string>): Rule[] {
  const owner = new Map<string, string>();
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!(SECRET_ENV_NAME.test(name) || names.has(name))) continue;
    if (value === undefined || value.length < MIN_ENV_VALUE_LENGTH) continue;
    for (const form of secretForms(value)) if (!owner.has(form)) owner.set(form, name);
  }
  return [...owner.entries()]
    .sort((a, b) => b[0].length - a[0].length)
    .map(([form, name]) => ({ kind: `env:${name}`, regex: new RegExp(splitTolerantSource(form), 'g') }));
}

/** The matches to replace, left to right: leftmost first, then longest, then the earlier rule. */
function findAll(text: string, rules: readonly Rule[]): SecretMatch[] {
  if (text === '') return [];
  const next = rules.map((rule) => search(rule.regex, text, 0));
  const matches: SecretMatch[] = [];
  let position = 0;
  for (;;) {
    let best = -1;
    for (let i = 0; i < rules.length; i++) {
      let match = next[i];
      if (match === null) continue;
      if (match.index < position) match = next[i] = search(rules[i].regex, text, position);
      if (match === null) continue;
      const current = best < 0 ? null : next[best]!;
      if (
        current === null ||
        match.index < current.index ||
        (match.index === current.index && match.length > current.length)
      ) {
        best = i;
      }
    }
    if (best < 0) return matches;
    const match = next[best]!;
    matches.push({ kind: rules[best].kind, index: match.index, length: match.length });
    position = match.index + match.length;
  }
}

/** The first non-empty match at or after `from` (a pattern that can match "" must not loop). */
function search(regex: RegExp, text: string, from: number): { index: number; length: number } | null {
  for (let start = from; start <= text.length;) {
    regex.lastIndex = start;
    const match = regex.exec(text);
    if (match === null) return null;
    if (match[0].length > 0) return { index: match.index, length: match[0].length };
    start = match.index + 1;
  }
  return null;
}

/**
 * NDJSON (a transcript, the runner log) with every string value redacted, the values of each key
 * across all lines as one series (see `redactSeries`), so a secret split over consecutive events
 * (two `line`s of output) is found; undefined when a line is not JSON.
 */
export function redactJsonLines(text: string, redactor: Redactor): string | undefined {
  const lines = text.split('\n');
  const values: unknown[] = [];
  try {
    for (const line of lines) values.push(line === '' ? undefined : JSON.parse(line));
  } catch {
    return undefined;
  }
  const slots: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const collect = (holder: Record<string, unknown> | unknown[], key: string | number) => {
    const value = (holder as Record<string | number, unknown>)[key];
    if (typeof value === 'string') slots.push({ holder, key });
    else if (Array.isArray(value)) value.forEach((_, i) => collect(value, i));
    else if (value !== null && typeof value === 'object')
      for (const k of Object.keys(value)) collect(value as Record<string, unknown>, k);
  };
  values.forEach((_, i) => collect(values, i));
  // a series is the values of one key (`line`, say) from one event to the next
  const series = new Map<string | number, typeof slots>();
  for (const slot of slots) {
    const members = series.get(slot.key);
    if (members) members.push(slot);
    else series.set(slot.key, [slot]);
  }
  const read = (slot: (typeof slots)[number]) => (slot.holder as Record<string | number, string>)[slot.key];
  let changed = false;
  for (const members of series.values()) {
    const redacted = redactor.redactSeries(members.map(read));
    members.forEach((slot, i) => {
      if (redacted[i] === read(slot)) return;
      (slot.holder as Record<string | number, string>)[slot.key] = redacted[i];
      changed = true;
    });
  }
  if (!changed) return text;
  return values.map((value) => (value === undefined ? '' : JSON.stringify(value))).join('\n');
}

/** A copy of a JSON value with every string in it (keys too) redacted; the value itself is not changed. */
export function redactJson<T>(value: T, redactor: Redactor): T {
  return redactValue(value, redactor) as T;
}

function redactValue(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactor));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[redactor.redact(key)] = redactValue(item, redactor);
    return out;
  }
  return value;
}

/**
 * Redacts a stream that arrives line by line. Lines are redacted one at a time, except that a
 * private key block is collected from its BEGIN line to its END line and redacted as a whole, so no
 * line of the key is let through. A block that does not end within `maxHeldLines` lines or
 * `maxHeldChars` characters (or before `flush`) is redacted from its BEGIN line to where it stops.
 */
export interface LineRedactor {
  /** Takes one line with its terminator; returns the redacted text to emit ('' while a key block is held). */
  push(line: string): string;
  /** Emits whatever is held (at the end of the stream). */
  flush(): string;
}

/** A BEGIN line with no END after it. */
const OPEN_PRIVATE_KEY = new RegExp(`${PRIVATE_KEY_BEGIN}(?![\\s\\S]*${PRIVATE_KEY_END})`);
const PRIVATE_KEY_END_LINE = new RegExp(PRIVATE_KEY_END);

export function createLineRedactor(
  redactor: Redactor,
  { maxHeldLines = 512, maxHeldChars = 256 * 1024 }: { maxHeldLines?: number; maxHeldChars?: number } = {},
): LineRedactor {
  let held: string[] = [];
  let heldChars = 0;
  const release = (): string => {
    const text = held.join('');
    held = [];
    heldChars = 0;
    return text === '' ? '' : redactor.redact(text);
  };
  return {
    push(line: string): string {
      if (held.length === 0) {
        if (!OPEN_PRIVATE_KEY.test(line)) return redactor.redact(line);
        held.push(line);
        heldChars = line.length;
        return '';
      }
      held.push(line);
      heldChars += line.length;
      if (held.length >= maxHeldLines || heldChars >= maxHeldChars) return release();
      // the block stays open until a line with an END marker closes it (and opens no other block)
      if (!PRIVATE_KEY_END_LINE.test(line) || OPEN_PRIVATE_KEY.test(held.join(''))) return '';
      return release();
    },
    flush: release,
  };
}
