/** Lowercase ASCII words of a title joined by `-`: at most `words` words and `chars` characters. */
export function slugOf(
  title: string,
  { words, chars, fallback }: { words: number; chars: number; fallback: string },
): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()
      .split(' ')
      .filter(Boolean)
      .slice(0, words)
      .join('-')
      .slice(0, chars)
      .replace(/-+$/, '') || fallback
  );
}
