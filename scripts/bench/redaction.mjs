// Redaction throughput over a 10 MB log, with and without known secret values (each searched for
// in all its forms: literal, split, base64 at three alignments, hex, URL-encoded).
// Usage: npm run build && node scripts/bench/redaction.mjs
import { performance } from 'node:perf_hooks';
import { createLineRedactor, createRedactor } from '../../dist/runs/redaction.js';

const SIZE = 10 * 1024 * 1024;
const env = {
  DEPLOY_TOKEN: 'dt-9f8e7d6c5b4a3210-zyxwv',
  OPENAI_API_KEY: `sk-proj-${'Zy9-_'.repeat(30)}`,
  DB_PASSWORD: 'hunter2hunter2hunter2',
  GITHUB_TOKEN: `ghp_${'a1B2c3D4e5'.repeat(4)}`,
};

// build output: timestamps, paths, quotes and concatenation glue, short base64 strings
const lines = [];
for (let i = 0, size = 0; size < SIZE; i++) {
  const b64 = Buffer.from(String(i * 7919)).toString('base64');
  const line = `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z step ${i}: compiled src/module-${i % 997}.ts in ${i % 113} ms, "quoted" + concatenated . strings and ${b64}\n`;
  lines.push(line);
  size += line.length;
}
const text = lines.join('');
const mb = text.length / 1024 / 1024;

for (const [label, redactor] of [
  ['built-in formats only', createRedactor({ env: {}, patterns: [] })],
  [`+ ${Object.keys(env).length} known values, every form`, createRedactor({ env, patterns: [] })],
]) {
  redactor.redact(text.slice(0, 100_000)); // warm-up
  let started = performance.now();
  redactor.redact(text);
  const whole = (performance.now() - started) / 1000;
  const byLine = createLineRedactor(redactor);
  started = performance.now();
  for (const line of lines) byLine.push(line);
  byLine.flush();
  const perLine = (performance.now() - started) / 1000;
  console.log(
    `${label}: whole text ${(mb / whole).toFixed(1)} MB/s, line by line ${(mb / perLine).toFixed(1)} MB/s (${mb.toFixed(1)} MB, ${lines.length} lines)`,
  );
}
