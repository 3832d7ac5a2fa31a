/**
 * The publishing numbers of docs/architecture.md, as configuration with its defaults: attempts,
 * backoff, leases, the look-ahead, and each network call's timeout.
 */
import * as z from 'zod';
import { FUNCTIONS } from '../resources';
import { readMetricsAfter } from './metrics';

const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

const schema = z
  .object({
    CRIER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    CRIER_BACKOFF_BASE_SECONDS: seconds(5),
    CRIER_BACKOFF_MAX_SECONDS: seconds(15 * 60),
    CRIER_TICK_SECONDS: seconds(60),
    CRIER_LOOKAHEAD_MARGIN_SECONDS: seconds(60),
    CRIER_LEASE_SECONDS: seconds(90),
    /** how long after its dueAt a queued share's message may still arrive */
    CRIER_DELIVERY_MARGIN_SECONDS: seconds(120),
    CRIER_NETWORK_TIMEOUT_SECONDS: z.coerce.number().positive().optional(),
    /** reconcile attempts on `unsure` before the share is parked for an editor */
    CRIER_MAX_RECONCILES: z.coerce.number().int().min(1).max(50).default(8),
    /** how long a compose message may take before the sweep sends its revision again */
    CRIER_COMPOSE_GRACE_SECONDS: seconds(300),
  })
  .transform((env) => {
    const functionTimeout = FUNCTIONS['publish-share'].timeoutSeconds;
    // Nothing may be killed between a post and its record: the network call ends at
    // least 10 s before the function would, and the lease outlasts the function.
    const networkTimeout = Math.min(
      env.CRIER_NETWORK_TIMEOUT_SECONDS ?? functionTimeout - 10,
      functionTimeout - 10,
    );
    // The default outlasts a compose run and one retry (2 x its 60 s timeout and more), so
    // a revision still in the queue is rarely sent twice; a shorter one (tests) is safe,
    // since composing a revision again changes nothing.
    const composeGrace = env.CRIER_COMPOSE_GRACE_SECONDS;
    return {
      maxAttempts: env.CRIER_MAX_ATTEMPTS,
      backoff: {
        baseSeconds: env.CRIER_BACKOFF_BASE_SECONDS,
        maxSeconds: env.CRIER_BACKOFF_MAX_SECONDS,
      },
      // Never over 900 s: SQS's longest delay.
      lookAheadSeconds: Math.min(900, env.CRIER_TICK_SECONDS + env.CRIER_LOOKAHEAD_MARGIN_SECONDS),
      leaseSeconds: Math.max(env.CRIER_LEASE_SECONDS, functionTimeout),
      deliveryMarginSeconds: env.CRIER_DELIVERY_MARGIN_SECONDS,
      networkTimeoutMs: Math.max(1, networkTimeout) * 1000,
      maxReconciles: env.CRIER_MAX_RECONCILES,
      revisionSweep: {
        graceSeconds: composeGrace,
        // A revision compose keeps failing on is sent again at most hourly: the compose
        // queue's dead letters and their alarm are where it is looked at.
        maxGraceSeconds: Math.max(composeGrace, 3600),
      },
    };
  });

export type PublishingConfig = z.output<typeof schema> & {
  /** CRIER_METRICS_AFTER: when a published post's counts are read (its first, scheduled here) */
  metricsAfterMs: readonly number[];
};

export function readPublishingConfig(env: NodeJS.ProcessEnv = process.env): PublishingConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new Error(
      `Invalid publishing settings: ${result.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return { ...result.data, metricsAfterMs: readMetricsAfter(env) };
}
