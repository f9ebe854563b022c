import { type Diagnostic, diagnostic } from './diagnostics.js';

/** The text of one file as the loader saw it, with what a writer must keep (BOM, line endings). */
export interface SourceText {
  /** Repository-relative path. */
  file: string;
  /** Content without the BOM. */
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
}

/** Files larger than this are refused rather than parsed (a task index of 10,000 tasks is ~5 MB). */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as UTF-8 text, refusing binary, non-UTF-8 and oversized files with a diagnostic. */
export function decodeSource(
  file: string,
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): { source?: SourceText; diagnostics: Diagnostic[] } {
  if (bytes.byteLength > maxBytes) {
    return {
      diagnostics: [
        diagnostic(
          'error',
          'file-too-large',
          `file is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`,
          { file },
          { hint: 'split it, or raise limits.maxFileBytes in codex.config.yaml' },
        ),
      ],
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      diagnostics: [
        diagnostic(
          'error',
          'binary-file',
          `file is binary (NUL byte at offset ${nul}), expected UTF-8 text`,
          {
            file,
          },
        ),
      ],
    };
  }
  // Buffer decoding is fast and marks bad sequences with U+FFFD; only then pay for a strict decode
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    if (text.includes('\ufffd')) utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const { line, column } = positionOfByte(bytes, at);
    const lineStart = at - column + 1;
    let lineEnd = bytes.indexOf(0x0a, at);
    if (lineEnd === -1) lineEnd = bytes.length;
    const sourceLine = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, lineEnd)).replace(/\r$/, '');
    return {
      diagnostics: [
        diagnostic(
          'error',
          'encoding',
          `file is not valid UTF-8 (invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at})`,
          { file, line, column },
          { hint: 're-save the file as UTF-8', sourceLine },
        ),
      ],
    };
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  const firstNewline = text.indexOf('\n');
  const eol = firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n';
  return { source: { file, text, bom, eol }, diagnostics: [] };
}

/** Re-encodes text for writing, restoring the BOM the file had. */
export function encodeSource(source: Pick<SourceText, 'bom'>, text: string): string {
  return source.bom ? `\ufeff${text}` : text;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return i;
}

function positionOfByte(bytes: Uint8Array, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

/** Maps character offsets to 1-based line and column; built once per text, on first use. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(readonly text: string) {}

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** The text of a 1-based line without its line ending. */
  lineText(line: number): string {
    const starts = this.lineStarts();
    const start = starts[line - 1] ?? this.text.length;
    const end = line < starts.length ? starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  /** Offset of the start of a 1-based line. */
  offsetOfLine(line: number): number {
    return this.lineStarts()[line - 1] ?? this.text.length;
  }
}

/** Builds a diagnostic at an offset, quoting the line. */
export function diagnosticAt(
  index: LineIndex,
  file: string,
  offset: number,
  severity: Diagnostic['severity'],
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  const { line, column } = index.position(offset);
  return diagnostic(
    severity,
    code,
    message,
    { file, line, column },
    { sourceLine: index.lineText(line), hint },
  );
}
