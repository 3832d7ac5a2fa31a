/**
 * CRIER_METRICS_AFTER: the ages after publication at which a post's counts are read, read
 * once at cold start by the publish step (which schedules the first reading) and by the
 * collector. A bad value stops the function at start, naming the variable.
 */
import { DEFAULT_METRICS_AFTER, parseMetricsAfter } from '../domain/metrics';

export const METRICS_AFTER_ENV = 'CRIER_METRICS_AFTER';

/** The offsets in milliseconds, ascending; the default when the variable is unset or empty. */
export function readMetricsAfter(env: NodeJS.ProcessEnv = process.env): number[] {
  const value = env[METRICS_AFTER_ENV]?.trim();
  try {
    return parseMetricsAfter(value ? value : DEFAULT_METRICS_AFTER);
  } catch (error) {
    // The value is a list of durations, never a secret: it is safe to repeat.
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Invalid ${METRICS_AFTER_ENV}: ${why} (for example ${DEFAULT_METRICS_AFTER})`);
  }
}
