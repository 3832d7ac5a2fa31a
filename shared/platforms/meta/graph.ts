/**
 * A small typed `fetch` for Meta's Graph hosts (graph.threads.net, graph.instagram.com,
 * graph.facebook.com): the token travels as the `access_token` parameter (in the form
 * body of a POST), every request ends with the call's deadline, and every failure comes
 * back as a GraphFailure, never as a thrown error or a message holding the token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodes, NEVER_CONNECTED } from '../transport';
import { type GraphFailure, graphErrorSchema } from './errors';

export type GraphApi = {
  /** the versioned root, e.g. `https://graph.threads.net/v1.0` */
  base: string;
  accessToken: string;
  /** the call's deadline: every request and every wait ends when it aborts */
  signal: AbortSignal;
};

export type GraphAnswer =
  | { ok: true; body: unknown; headers: Headers }
  | { ok: false; failure: GraphFailure };

type Params = Record<string, string | undefined>;

/** What a thrown fetch means. Only codes and names go into the detail: messages may hold the URL. */
function transportFailure(error: unknown, signal: AbortSignal): GraphFailure {
  if (signal.aborted) return { kind: 'timeout' };
  const code = errorCodes(error)[0];
  if (code && NEVER_CONNECTED.has(code)) return { kind: 'not-sent', detail: code };
  return { kind: 'lost', detail: code ?? (error instanceof Error ? error.name : 'unknown error') };
}

export async function graphRequest(
  api: GraphApi,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Params = {},
): Promise<GraphAnswer> {
  const url = new URL(`${api.base}${path}`);
  const form = new URLSearchParams();
  const target = method === 'POST' ? form : url.searchParams;
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.set(name, value);
  }
  target.set('access_token', api.accessToken);

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { accept: 'application/json' },
      ...(method === 'POST' ? { body: form } : {}),
      signal: api.signal,
    });
  } catch (error) {
    return { ok: false, failure: transportFailure(error, api.signal) };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return { ok: false, failure: transportFailure(error, api.signal) };
  }
  let body: unknown;
  let json = true;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    json = false;
  }
  const graphError = graphErrorSchema.safeParse(body);
  if (!response.ok || graphError.success) {
    return {
      ok: false,
      failure: {
        kind: 'http',
        status: response.status,
        ...(graphError.success ? { error: graphError.data.error } : {}),
        headers: response.headers,
      },
    };
  }
  if (!json || body === undefined) {
    return {
      ok: false,
      failure: { kind: 'lost', detail: `${response.status} without a JSON body` },
    };
  }
  return { ok: true, body, headers: response.headers };
}

/** Waits `ms`, or less when the deadline comes first; never throws. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // The deadline passed: the caller sees `signal.aborted`.
  }
}
