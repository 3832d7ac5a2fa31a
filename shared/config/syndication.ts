/**
 * How the CMS is retried when a syndication webhook fails: a backoff between attempts,
 * and as many attempts as the syndicate queue receives a message before its DLQ.
 */
import * as z from 'zod';
import type { BackoffPolicy } from '../domain/backoff';
import { QUEUES } from '../resources';

const schema = z.object({
  CRIER_SYNDICATION_BACKOFF_BASE_SECONDS: z.coerce.number().positive().default(30),
  CRIER_SYNDICATION_BACKOFF_MAX_SECONDS: z.coerce
    .number()
    .positive()
    // SQS holds a message back at most 12 hours.
    .max(12 * 3600)
    .default(3600),
});

export type SyndicationRetry = { backoff: BackoffPolicy; maxAttempts: number };

export function readSyndicationRetry(env: NodeJS.ProcessEnv = process.env): SyndicationRetry {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new Error(
      `Invalid syndication settings: ${result.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return {
    backoff: {
      baseSeconds: result.data.CRIER_SYNDICATION_BACKOFF_BASE_SECONDS,
      maxSeconds: result.data.CRIER_SYNDICATION_BACKOFF_MAX_SECONDS,
    },
    maxAttempts: QUEUES.syndicate.maxReceiveCount,
  };
}
