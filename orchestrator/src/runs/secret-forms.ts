/**
 * The forms a known secret value takes when a builder tries to smuggle it past a literal search,
 * and the normalisation that undoes a split.
 *
 * A value is searched for as itself, each of its lines, its base64 and base64url encodings at all
 * three byte alignments (so it is found inside a larger encoded blob too), its hex encoding (either
 * case) and its URL encoding. Every form and every text searched are first normalised by dropping
 * whitespace and the glue of string concatenation (quotes, `+`, `.`, `&`, `|`, a backslash and the
 * `\n`, `\r` and `\t` escapes): a value broken over lines (`"abc" +\n "def"`, `abc\` + newline,
 * base64 wrapped at 76 columns, the `+` of a diff's added lines) reads as one run of characters again.
 */

/** Shorter forms are not searched for: a short needle would match ordinary text. */
export const MIN_FORM_LENGTH = 8;

/** A text with its glue dropped, and where each remaining character was in the original. */
export interface NormalisedText {
  text: string;
  /** `offsets[i]` is the index in the original text of the normalised text's character `i`. */
  offsets: Uint32Array;
}

const BACKSLASH = 0x5c;

function isGlue(code: number): boolean {
  switch (code) {
    case 0x20: // space
    case 0x09: // \t
    case 0x0a: // \n
    case 0x0b: // \v
    case 0x0c: // \f
    case 0x0d: // \r
    case 0x22: // "
    case 0x27: // '
    case 0x60: // `
    case 0x2b: // +
    case 0x2e: // .
    case 0x26: // &
    case 0x7c: // |
    case BACKSLASH:
      return true;
    default:
      return false;
  }
}

/** After a backslash, these letters are an escaped line break or tab: glue too. */
function isEscapedBreak(code: number): boolean {
  return code === 0x6e /* n */ || code === 0x72 /* r */ || code === 0x74; /* t */
}

/** Drops the glue from `text` in one pass, keeping the position of every character left. */
export function normalise(text: string): NormalisedText {
  const offsets = new Uint32Array(text.length);
  const kept: string[] = [];
  let length = 0;
  let runStart = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isGlue(code)) {
      if (runStart < 0) runStart = i;
      offsets[length++] = i;
      continue;
    }
    if (runStart >= 0) kept.push(text.slice(runStart, i));
    runStart = -1;
    if (code === BACKSLASH && i + 1 < text.length && isEscapedBreak(text.charCodeAt(i + 1))) i++;
  }
  if (runStart >= 0) kept.push(text.slice(runStart));
  return { text: kept.join(''), offsets: offsets.subarray(0, length) };
}

/** Every searchable form of a secret value, normalised, without duplicates or too-short forms. */
export function secretForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const raw = [
    value,
    ...value.split(/\r?\n/),
    ...[0, 1, 2].flatMap((offset) => alignedBase64(bytes, offset)),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  ];
  const forms = new Set<string>();
  for (const form of raw) {
    const needle = normalise(form).text;
    if (needle.length >= MIN_FORM_LENGTH) forms.add(needle);
  }
  return [...forms];
}

/**
 * The base64 and base64url characters that encode `bytes` when they start `offset` bytes into an
 * encoded stream: the characters that also depend on the bytes before or after are left out, so the
 * form is the same whatever surrounds the value.
 */
function alignedBase64(bytes: Buffer, offset: number): string[] {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  const first = Math.ceil((offset * 8) / 6);
  const end = Math.floor(((offset + bytes.length) * 8) / 6);
  const stable = encoded.slice(first, end);
  return [stable, stable.replace(/\+/g, '-').replace(/\//g, '_')];
}

/** The first index of `offsets` whose value is at least `position` (offsets ascend). */
export function firstAtOrAfter(offsets: Uint32Array, position: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (offsets[mid] < position) low = mid + 1;
    else high = mid;
  }
  return low;
}
