/**
 * `POST /sandbox/faults` on the API's port. The body is the fault string, as
 * `CRIER_SANDBOX_FAULTS` takes it (or `{"faults": "…"}` sent as JSON). It changes how the
 * sandboxes answer, so a web page the developer happens to open must not reach it: a
 * browser names the page's origin on every cross-origin POST (and says where a request
 * comes from in `Sec-Fetch-Site`), and a request from another origin or site is refused.
 * curl and the tests send neither.
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
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return json(403, { error: 'requests from another site may not set faults' });
    }
    const text = request.body.toString('utf8');
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    let spec = text.trim();
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return json(400, { error: 'the body is not JSON' });
      }
      const body = bodySchema.safeParse(parsed);
      if (!body.success) {
        return json(400, { error: '`faults` must be a string (empty to clear them)' });
      }
      spec = body.data.faults;
    }
    try {
      faults.set(spec);
      return json(200, { faults: faults.describe() });
    } catch (error) {
      if (error instanceof FaultSpecError) return json(400, { error: error.message });
      throw error;
    }
  };
}
