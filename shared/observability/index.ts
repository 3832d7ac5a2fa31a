/**
 * One logger, one metrics and one tracer per function, and the one middy chain every
 * handler goes through. Logs carry context (article, channel, share), never a secret.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'crier' });
export const metrics = new Metrics({ namespace: 'Crier', serviceName: 'crier', logger });
export const tracer = new Tracer({ serviceName: 'crier' });

export function withObservability<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
) {
  return (
    middy(handler)
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      // Never the invocation event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it carries the
      // editor's bearer token, webhook signatures and whole request bodies.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(logMetrics(metrics))
  );
}
