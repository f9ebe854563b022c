/**
 * The forms a known secret value takes when a builder tries to smuggle it past a literal search,
 * and how each is searched for so that a split does not hide it.
 *
 * A value is searched for as itself, each of its lines, its base64 and base64url encodings at all
 * three byte alignments (so it is found inside a larger encoded blob too), its hex encoding (either
 * case) and its URL encoding. Each form is searched for with any glue between its characters:
 * whitespace and the glue of string concatenation (quotes, `+`, `.`, `&`, `|`, a backslash and the
 * `\n`, `\r` and `\t` escapes), so a value broken over lines (`"abc" +\n "def"`, `abc\` + newline,
 * base64 wrapped at 76 columns, the `+` of a diff's added lines) is found whole.
 */

/** Shorter forms are not searched for: a short needle would match ordinary text. */
const MIN_FORM_LENGTH = 8;

/** Whitespace and the glue of string concatenation, as a regular expression class. */
const GLUE_CHARS = String.raw`\s"'\x60+.&|\\`;
/** Any run of glue: those characters, and the `\n`, `\r`, `\t` escapes. */
const GLUE = String.raw`(?:[\s"'\x60+.&|]|\\[nrt]?)*`;
const GLUE_RUN = new RegExp(`[${GLUE_CHARS}]+`, 'g');

/**
 * A regular expression source that matches `form` with any glue between its characters: the span
 * of a split value from its first character to its last. Matching it is one linear scan of the
 * text (the form's characters are not glue, so no character can be read two ways).
 */
export function splitTolerantSource(form: string): string {
  return [...form].map((c) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join(GLUE);
}

/** Every searchable form of a secret value, glue dropped, without duplicates or too-short forms. */
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
    const needle = form.replace(GLUE_RUN, '');
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
