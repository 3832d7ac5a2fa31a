/**
 * Reading a post's counts from Meta's Graph hosts (docs/networks.md, "Engagement metrics"):
 * the `/{id}/insights` edge's answer as numbers by metric name, and a failed read mapped
 * onto a metrics outcome. Threads, Instagram and Facebook Page posts share both.
 */
import * as z from 'zod';
import type { MetricsOutcome } from '../client';
import { classify, type GraphError, type GraphFailure } from './errors';

/**
 * One metric of an insights answer: media insights put the number in `values[0].value`,
 * account-level ones (and some newer media ones) in `total_value.value`.
 */
const insightSchema = z.object({
  name: z.string(),
  values: z.array(z.object({ value: z.unknown() })).optional(),
  total_value: z.object({ value: z.unknown() }).optional(),
});

const insightsSchema = z.object({ data: z.array(z.unknown()) });

/** A count as Crier keeps it: a whole number, never below zero. */
export function wholeCount(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.max(0, Math.round(value));
}

/**
 * `{ data: [{ name, period, values: [{ value }] }] }` as numbers by metric name; a metric
 * Meta left out (or answered without a number) is not in the map. Undefined when the
 * answer is not an insights list at all.
 */
export function insightValues(body: unknown): Map<string, number> | undefined {
  const parsed = insightsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const values = new Map<string, number>();
  for (const item of parsed.data.data) {
    const metric = insightSchema.safeParse(item);
    if (!metric.success) continue;
    const raw = metric.data.values?.[0]?.value ?? metric.data.total_value?.value;
    const count = wholeCount(raw);
    if (count !== undefined) values.set(metric.data.name, count);
  }
  return values;
}

/** Graph's "Object with ID … does not exist" (100/33): the post was deleted. */
export function isMissingObject(error: GraphError | undefined): boolean {
  return error?.code === 100 && error.error_subcode === 33;
}

/**
 * A failed read as a metrics outcome: the post gone, the token dead or short of a
 * permission, a throttle with Meta's time to regain access, or a retry. A read posts
 * nothing, so whatever is unclear is safe to try again.
 */
export function metricsFailure(
  network: string,
  failure: GraphFailure,
  timeoutMs: number,
): Exclude<MetricsOutcome, { kind: 'read' }> {
  if (failure.kind === 'http' && isMissingObject(failure.error)) {
    return { kind: 'gone', message: `${network} no longer has the post (it was deleted there)` };
  }
  if (failure.kind === 'http' && !failure.error) {
    // An answer without Graph's envelope: a dead token or a refused right by its status.
    if (failure.status === 401) {
      return { kind: 'auth', message: `${network} answered 401 to the counts` };
    }
    if (failure.status === 403) {
      return { kind: 'auth', message: `${network} answered 403 to the counts`, permission: true };
    }
  }
  const outcome = classify(network, 'status', failure, timeoutMs);
  return outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
}
