import type { Config } from '../../repo/config.js';
import type { SpecDoc } from '../../repo/markdown-docs.js';
import { freshnessOf } from '../spec-health.js';
import { type Violation, violation } from '../types.js';
import { formatUtcDay } from '../utc-date.js';

/**
 * Rule `freshness`: a spec's last_review is at most its review interval old on `today` (UTC).
 * Specs that are done or superseded govern nothing new and are skipped.
 */
export function freshnessRule(specs: Iterable<SpecDoc>, config: Config, today: number): Violation[] {
  const found: Violation[] = [];
  for (const spec of specs) {
    const { fields } = spec;
    if (fields.status === 'done' || fields.status === 'superseded') continue;
    const f = freshnessOf(fields, config, today);
    const at = (severity: 'error' | 'warning', message: string, hint?: string) =>
      found.push(
        violation('freshness', spec.doc.locate(['last_review'], severity, 'freshness', message, hint), {
          spec: fields.id,
        }),
      );
    const review = `re-read it and run \`cxo spec review ${fields.id}\``;
    if (f.state === 'stale') {
      at(
        'error',
        `spec "${fields.id}" is stale: last reviewed ${fields.last_review}, ${f.ageDays} days before ${formatUtcDay(today)}; its review interval is ${f.intervalDays} days`,
        review,
      );
    } else if (f.state === 'future') {
      at(
        'error',
        `spec "${fields.id}" has last_review ${fields.last_review}, after today (${formatUtcDay(today)}, UTC)`,
        'a review cannot happen in the future; fix the date',
      );
    } else if (f.state === 'expiring') {
      at(
        'warning',
        `spec "${fields.id}" goes stale after ${f.freshThrough} (${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'} left)`,
        review,
      );
    }
  }
  return found;
}
