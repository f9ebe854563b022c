/**
 * Per-test results from TAP output, so grading can name the tests that must change (FAIL_TO_PASS)
 * and the tests that must not break (PASS_TO_PASS).
 *
 * - `tap`: every `ok N - name` / `not ok N - name` line is a test (node --test --test-reporter=tap,
 *   tap, mocha's TAP reporter). Nested subtests are named `parent > child`, from node's
 *   `# Subtest: name` lines and the indentation.
 * - `tape`: tape prints assertions, not tests: a test is a `# name` comment and the assertions after
 *   it, and it passes when all of them pass. A name used by several tests passes when all of them
 *   pass. The summary after the plan (`# tests`, `# pass`, `# fail`, `# ok`) is not a test.
 */
import type { TestFormat } from './scenario-types.js';

export type TestStatus = 'pass' | 'fail' | 'skip';

export function parseTestOutput(format: TestFormat, output: string): Map<string, TestStatus> {
  return format === 'tape' ? parseTape(output) : parseTap(output);
}

const RESULT = /^(\s*)(not ok|ok)\b(?:\s+\d+)?(?:\s*-)?\s*(.*)$/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;

interface Assertion {
  ok: boolean;
  name: string;
  directive?: 'skip' | 'todo';
}

function assertion(match: RegExpMatchArray): Assertion {
  const raw = match[3];
  const d = DIRECTIVE.exec(raw);
  const name = (d ? raw.slice(0, d.index) : raw).replace(/\\#/g, '#').trim();
  const directive = d ? (d[1].toLowerCase() as 'skip' | 'todo') : undefined;
  return { ok: match[2] === 'ok', name, ...(directive ? { directive } : {}) };
}

/** A TODO test's result does not count against it (TAP's rule); a skipped one did not run. */
function statusOf(a: Assertion): TestStatus {
  if (a.directive === 'skip') return 'skip';
  return a.ok || a.directive === 'todo' ? 'pass' : 'fail';
}

function worse(a: TestStatus | undefined, b: TestStatus): TestStatus {
  if (a === undefined) return b;
  if (a === 'fail' || b === 'fail') return 'fail';
  if (a === 'skip' || b === 'skip') return 'skip';
  return 'pass';
}

export function parseTap(output: string): Map<string, TestStatus> {
  const results = new Map<string, TestStatus>();
  const open: { indent: number; name: string }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (subtest) {
      const indent = subtest[1].length;
      while (open.length && open[open.length - 1].indent >= indent) open.pop();
      open.push({ indent, name: subtest[2].trim() });
      continue;
    }
    const m = RESULT.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    const a = assertion(m);
    while (open.length && open[open.length - 1].indent > indent) open.pop();
    const parents = open.filter((o) => o.indent < indent).map((o) => o.name);
    if (open.length && open[open.length - 1].indent === indent) open.pop();
    const name = [...parents, a.name].join(' > ');
    results.set(name, worse(results.get(name), statusOf(a)));
  }
  return results;
}

const TAPE_SUMMARY = /^# (tests \d+|pass \d+|fail \d+|skip \d+|todo \d+|ok)\s*$/;

export function parseTape(output: string): Map<string, TestStatus> {
  const results = new Map<string, TestStatus>();
  let current: string | undefined;
  let planSeen = false;
  for (const line of output.split(/\r?\n/)) {
    if (/^1\.\.\d+/.test(line)) {
      planSeen = true;
      continue;
    }
    const comment = /^# (.*)$/.exec(line);
    if (comment) {
      if (planSeen || TAPE_SUMMARY.test(line)) continue;
      current = comment[1].trim();
      // a test with no assertions (t.end() only) passes unless an assertion below says otherwise
      if (!results.has(current)) results.set(current, 'pass');
      continue;
    }
    const m = RESULT.exec(line);
    // tape's assertions are not indented; indented lines are YAML diagnostics
    if (!m || m[1] !== '' || current === undefined) continue;
    const status = statusOf(assertion(m));
    results.set(current, worse(results.get(current), status === 'skip' ? 'pass' : status));
  }
  return results;
}
