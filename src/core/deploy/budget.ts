// The budget arithmetic (research §1.2): preStop + drain + margin against the grace, and the
// words messages give it in.
import { formatAt, msForUnit, type ShutdownFacts } from './code-facts.js';
import type { RelatedLocation } from './source.js';
import type { DeployUnit } from './units.js';

export const defaultMarginSeconds = 2;

/** `30 s`, `1.6 s`, `0.5 s`. */
export function seconds(value: number): string {
  return `${Number.isInteger(value) ? value : Number(value.toFixed(2))} s`;
}

export interface Drain {
  /** Seconds, or undefined when unbounded or unknown. */
  seconds: number | undefined;
  unbounded: boolean;
  /** `drain 30 s (http-graceful-shutdown `timeout` default 30000 ms, src/server.ts:12)`. */
  describe: string;
  related: RelatedLocation[];
  /** The in-app delay before close, included in `seconds`. */
  preCloseSeconds: number;
}

/** D = in-app delay + the drain deadline, with the unit's env applied to env-driven values. */
export function drainOf(facts: ShutdownFacts, unit: DeployUnit, cwd: string): Drain | undefined {
  const drain = facts.drain;
  if (!drain) return undefined;
  const related: RelatedLocation[] = [];
  let preCloseSeconds = 0;
  const parts: string[] = [];
  if (facts.preCloseDelay) {
    const value = msForUnit(facts.preCloseDelay, unit.env);
    if (value.ms !== undefined) {
      preCloseSeconds = value.ms / 1000;
      parts.push(
        `in-app delay ${seconds(preCloseSeconds)} (${value.source}, ${formatAt(facts.preCloseDelay.at, cwd)})`,
      );
      related.push(facts.preCloseDelay.at);
    }
  }
  if (drain.kind === 'unbounded') {
    related.push(drain.at);
    return {
      seconds: undefined,
      unbounded: true,
      describe: `drain with no deadline (${drain.what}, ${formatAt(drain.at, cwd)})`,
      related,
      preCloseSeconds,
    };
  }
  let total = preCloseSeconds;
  let unknown = false;
  const termTexts: string[] = [];
  for (const term of drain.terms) {
    const value = msForUnit(term, unit.env);
    if (value.ms === undefined) unknown = true;
    else total += value.ms / 1000;
    termTexts.push(`${term.env ? value.source : term.what}, ${formatAt(term.at, cwd)}`);
    related.push(term.at);
  }
  if (unknown)
    return {
      seconds: undefined,
      unbounded: false,
      describe: `drain of unknown length (${termTexts.join('; ')})`,
      related,
      preCloseSeconds,
    };
  const drainSeconds = total - preCloseSeconds;
  parts.push(`drain ${seconds(drainSeconds)} (${termTexts.join(' + ')})`);
  return { seconds: total, unbounded: false, describe: parts.join(' + '), related, preCloseSeconds };
}

/** "preStop 10 s + drain 30 s (…) + margin 2 s = 42 s". */
export function budgetText(preStop: number, drain: Drain, margin: number): { total: number; text: string } {
  const total = preStop + (drain.seconds ?? 0) + margin;
  const parts = [...(preStop > 0 ? [`preStop ${seconds(preStop)}`] : []), drain.describe, `margin ${seconds(margin)}`];
  return { total, text: `${parts.join(' + ')} = ${seconds(total)}` };
}
