/**
 * The one mapping from domain errors to HTTP answers. Bodies carry a code and a safe
 * message; the error itself, with any detail, goes to the log.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import {
  CrierError,
  type FieldIssue,
  PostTextError,
  StoreWriteError,
  ValidationError,
} from '../domain/errors';
import { logger } from '../observability';
import type { errorSchema } from './route-kit';

type ErrorCode = z.output<typeof errorSchema>['error'];

const STATUS: Record<CrierError['kind'], number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
};

const CODES: Record<CrierError['kind'], ErrorCode> = {
  invalid: 'invalid_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  'not-found': 'not_found',
  conflict: 'conflict',
  'too-large': 'payload_too_large',
};

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/**
 * What the API would answer for `error` (its status and body), for an answer that
 * reports several outcomes in one body (the bulk route). A fault of ours is logged and
 * says no more than its status.
 */
export function refusalOf(error: unknown): {
  status: number;
  body: {
    error: ErrorCode;
    message: string;
    fields?: FieldIssue[];
    length?: PostTextError['length'];
  };
} {
  if (error instanceof CrierError) {
    const body: ReturnType<typeof refusalOf>['body'] = {
      error: CODES[error.kind],
      message: error.message,
    };
    if (error instanceof ValidationError) body.fields = error.issues;
    if (error instanceof PostTextError) body.length = error.length;
    return { status: STATUS[error.kind], body };
  }
  logger.error('One share of a bulk request failed', {
    error: error instanceof Error ? error : String(error),
  });
  return error instanceof StoreWriteError
    ? { status: 500, body: { error: 'write_failed', message: 'The change could not be saved' } }
    : { status: 500, body: { error: 'internal_error', message: 'Internal error' } };
}

/**
 * `requestId` is API Gateway's (also sent as the `apigw-requestid` header): a failure on
 * our side answers it in the body, so that whoever reports it can be found in the log.
 */
export function errorResponse(
  error: unknown,
  requestId?: string,
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof CrierError) {
    const status = STATUS[error.kind];
    logger.info('Request refused', { status, error: { name: error.name, message: error.message } });
    const body: Record<string, unknown> = {
      error: CODES[error.kind],
      // An unauthorized request learns nothing about which check failed.
      message: error.kind === 'unauthorized' ? 'Unauthorized' : error.message,
    };
    if (error instanceof ValidationError) body.fields = error.issues;
    if (error instanceof PostTextError) body.length = error.length;
    const response = json(status, body);
    if (status === 401) response.headers = { ...response.headers, 'www-authenticate': 'Bearer' };
    return response;
  }
  logger.error('Request failed', {
    requestId,
    error: error instanceof Error ? error : String(error),
  });
  const ref = requestId ? { requestId } : {};
  if (error instanceof StoreWriteError) {
    return json(500, {
      error: 'write_failed',
      message:
        'The change could not be saved, and nothing was changed. Quote the request id when you report it.',
      ...ref,
    });
  }
  return json(500, {
    error: 'internal_error',
    message: 'Internal error. Quote the request id when you report it.',
    ...ref,
  });
}
