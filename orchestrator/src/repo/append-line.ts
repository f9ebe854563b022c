/**
 * `text` with `line` added as its last line, in the file's own line ending, and a line break
 * first when the text does not end with one.
 */
export function withLineAppended(text: string, line: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${sep}${line}${eol}`;
}
