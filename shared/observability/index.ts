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
import { METRIC_NAMESPACE, SERVICE_NAME } from './metric-names';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({
  namespace: METRIC_NAMESPACE,
  serviceName: SERVICE_NAME,
  logger,
});
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

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
