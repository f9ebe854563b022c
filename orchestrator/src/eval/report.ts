/** The aggregate of an evaluation (report.json) and its markdown rendering (report.md). */
import type { Comparison } from './compare.js';
import type { ScenarioResult } from './result-types.js';

export interface EvalReport {
  kind: 'cxo-eval-report';
  version: 1;
  id: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  orchestrator: { version: string; node: string };
  provider: 'scripted' | 'real';
  summary: {
    scenarios: number;
    full: number;
    partial: number;
    none: number;
    error: number;
    tokens: number;
    costUsd: number | null;
  };
  scenarios: ScenarioResult[];
  comparison: Comparison | null;
}

export function summarize(results: ScenarioResult[]): EvalReport['summary'] {
  const count = (r: string) => results.filter((s) => s.resolved === r).length;
  const costs = results.map((s) => s.costUsd).filter((c): c is number => typeof c === 'number');
  return {
    scenarios: results.length,
    full: count('full'),
    partial: count('partial'),
    none: count('none'),
    error: count('error'),
    tokens: results.reduce((n, s) => n + s.usage.total_tokens, 0),
    costUsd: costs.length ? round(costs.reduce((a, b) => a + b, 0)) : null,
  };
}

/** A report is valid input for `cxo eval report` and `--compare` when it has this shape. */
export function isEvalReport(value: unknown): value is EvalReport {
  const v = value as EvalReport;
  return !!v && v.kind === 'cxo-eval-report' && v.version === 1 && Array.isArray(v.scenarios);
}

export function renderMarkdown(report: EvalReport): string {
  const s = report.summary;
  const lines: string[] = [
    `# Evaluation ${report.id}`,
    '',
    `${report.startedAt} · ${seconds(report.durationMs)} · provider ${report.provider} · codex-orchestrator ${report.orchestrator.version}`,
    '',
    `**${s.scenarios} scenarios: ${s.full} full, ${s.partial} partial, ${s.none} none, ${s.error} error** · ${s.tokens} tokens · cost ${money(s.costUsd)}`,
    '',
  ];
  const c = report.comparison;
  if (c) {
    lines.push(`## Compared with ${c.against.id}`, '');
    if (c.regressions.length) {
      lines.push(
        `**${c.regressions.length} regression(s)**`,
        '',
        '| scenario | what | before | now |',
        '|---|---|---|---|',
      );
      for (const r of c.regressions)
        lines.push(`| ${r.scenario} | ${cell(r.what)} | ${cell(r.before)} | ${cell(r.after)} |`);
    } else lines.push('No regressions.');
    lines.push('');
    if (c.improvements.length) {
      lines.push(
        'Improved: ' + c.improvements.map((r) => `${r.scenario} (${r.before} → ${r.after})`).join(', '),
        '',
      );
    }
    if (c.changes.length) {
      lines.push('| scenario | resolved | duration | tokens | cost |', '|---|---|---|---|---|');
      for (const ch of c.changes) {
        lines.push(
          `| ${ch.scenario} | ${ch.resolved.before} → ${ch.resolved.after} | ${seconds(ch.durationMs.before)} → ${seconds(ch.durationMs.after)} | ${ch.tokens.before} → ${ch.tokens.after} | ${money(ch.costUsd.before)} → ${money(ch.costUsd.after)} |`,
        );
      }
      lines.push('');
    }
    if (c.added.length) lines.push(`New scenarios: ${c.added.join(', ')}`, '');
    if (c.notRun.length) lines.push(`Not run this time: ${c.notRun.join(', ')}`, '');
  }
  lines.push(
    '## Scenarios',
    '',
    '| scenario | kind | source | resolved | duration | tokens | cost |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of report.scenarios) {
    lines.push(
      `| ${r.scenario} | ${r.kind}${r.provider ? ` (${r.provider})` : ''} | ${cell(r.source)} | **${r.resolved}** | ${seconds(r.durationMs)} | ${r.usage.total_tokens} | ${money(r.costUsd)} |`,
    );
  }
  lines.push('');
  for (const r of report.scenarios) {
    lines.push(`### ${r.scenario}: ${r.resolved}`, '');
    if (r.title) lines.push(r.title, '');
    if (r.reason) lines.push(`${r.error ? `Error in ${r.error.stage}: ` : ''}${r.reason}`, '');
    const tests = [
      ...r.tests.fail_to_pass.map((t) => ({ ...t, kind: 'FAIL_TO_PASS' })),
      ...r.tests.pass_to_pass.map((t) => ({ ...t, kind: 'PASS_TO_PASS' })),
    ];
    if (tests.length) {
      lines.push('| test | kind | before | after |', '|---|---|---|---|');
      for (const t of tests) lines.push(`| ${cell(t.name)} | ${t.kind} | ${t.before} | ${t.after ?? '—'} |`);
      lines.push('');
    }
    for (const a of r.assertions) lines.push(`- ${a.holds ? '✔' : '✘'} ${a.name}: ${a.detail}`);
    if (r.assertions.length) lines.push('');
    if (r.pipeline) {
      const p = r.pipeline;
      lines.push(
        `Run ${p.runId ?? '—'}: ${p.status ?? `exit ${p.exitCode}`}${p.errorCode ? ` (${p.errorCode})` : ''}; changed ${p.changedFiles.length ? p.changedFiles.join(', ') : 'nothing'}; ${Object.entries(
          p.adapters,
        )
          .map(([role, adapter]) => `${role}=${adapter}`)
          .join(', ')}`,
        '',
      );
    }
    const stages = Object.entries(r.stages).map(([k, v]) => `${k} ${seconds(v)}`);
    if (stages.length) lines.push(`Stages: ${stages.join(', ')}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function money(usd: number | null): string {
  return usd === null ? '—' : `$${usd.toFixed(4)}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
