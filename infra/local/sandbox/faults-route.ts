/**
 * `POST /sandbox/faults` on the API's port. It changes how the sandboxes answer, so a
 * web page the developer happens to open must not reach it: a request that names
 * another origin is refused, and the body must be JSON, which no cross-origin form or
 * simple request can send without a preflight the gateway never grants.
 */
import * as z from 'zod';
import type { LocalRequest, LocalResponse } from '../http-gateway';
import { type FaultInjector, FaultSpecError } from './faults';

const bodySchema = z.strictObject({ faults: z.string() });

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The origins a page of the stack itself has: its port, on any loopback name. */
export function ownOrigins(gatewayUrl: string): Set<string> {
  const { port } = new URL(gatewayUrl);
  return new Set(
    ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}${port ? `:${port}` : ''}`),
  );
}

export function faultsRoute(
  faults: FaultInjector,
  gatewayUrl: () => string,
): (request: LocalRequest) => Promise<LocalResponse> {
  return async (request) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !ownOrigins(gatewayUrl()).has(origin)) {
      return json(403, { error: 'requests from another origin may not set faults' });
    }
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return json(415, { error: 'the body must be JSON: {"faults": "<fault string>"}' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch {
      return json(400, { error: 'the body is not JSON' });
    }
    const body = bodySchema.safeParse(parsed);
    if (!body.success) {
      return json(400, { error: '`faults` must be a string (empty to clear them)' });
    }
    try {
      faults.set(body.data.faults);
      return json(200, { faults: faults.describe() });
    } catch (error) {
      if (error instanceof FaultSpecError) return json(400, { error: error.message });
      throw error;
    }
  };
}
