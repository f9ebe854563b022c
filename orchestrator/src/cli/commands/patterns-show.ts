import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandHandler } from '../command-table.js';
import { findPattern, openLibrary } from '../open-library.js';

const patternsShow: CommandHandler = async ({ args, options, out }) => {
  const library = openLibrary(options);
  const pattern = findPattern(library, args.id!);
  const read = (file: string) => readFileSync(join(library.dir, file), 'utf8');
  const examples = (pattern.examples ?? []).map((e) => ({
    ...e,
    beforeText: read(e.before),
    afterText: read(e.after),
  }));
  if (options.json) {
    out.json({
      pattern,
      entryPath: join(library.dir, pattern.entry),
      ...(pattern.kind === 'template' ? { text: read(pattern.entry) } : {}),
      examples,
    });
    return 0;
  }
  const lines = [
    `${out.bold(pattern.id)}  ${pattern.kind} ${pattern.version}`,
    `  ${pattern.description}`,
    `  languages: ${pattern.languages.join(', ')}`,
    `  entry:     ${join(library.dir, pattern.entry)}`,
  ];
  const declared = Object.entries(pattern.options ?? {});
  if (declared.length > 0) {
    lines.push('  options (--option KEY=VALUE):');
    for (const [key, o] of declared)
      lines.push(
        `    ${key} (${o.type}${o.default !== undefined ? `, default ${JSON.stringify(o.default)}` : ''}): ${o.description}`,
      );
  }
  if (pattern.kind !== 'template')
    lines.push(`  apply:     cxo patterns apply ${pattern.id} --repo DIR --dry-run`);
  out.line(lines.join('\n'));
  if (pattern.kind === 'template') {
    out.line(`\n${read(pattern.entry)}`);
    return 0;
  }
  for (const e of examples) {
    const given = Object.entries(e.options ?? {});
    out.line(
      `\nexample ${e.before} -> ${e.after}${given.length ? ` (options ${given.map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}:`,
    );
    out.line(out.dim('--- before'));
    out.line(e.beforeText.replace(/\n$/, ''));
    out.line(out.dim('--- after'));
    out.line(e.afterText.replace(/\n$/, ''));
  }
  return 0;
};
export default patternsShow;
