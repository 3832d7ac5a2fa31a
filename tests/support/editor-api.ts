/**
 * One call of the editor API as the editor UI makes it, for the handler tests: a bearer
 * token, a JSON body with its content type, and the answer's status, raw text and parsed
 * body (typed as the caller expects it).
 */

export type ApiAnswer<B = Record<string, unknown>> = { status: number; text: string; body: B };

export type ApiRequest = {
  method: string;
  path: string;
  /** sent as `Bearer <token>`, unless `headers` are given */
  token?: string;
  /** every header but the content type, in place of the bearer token (a wrong scheme, none) */
  headers?: Record<string, string>;
  /** sent as JSON; a string is sent as it is (a body that is not JSON) */
  body?: unknown;
};

/**
 * Calls the API at `baseUrl`. The body is parsed as JSON; only a 204 may have none (its
 * body is then `{}`), so an answer that is not JSON fails the test that made the call.
 */
export async function callEditorApi<B = Record<string, unknown>>(
  baseUrl: string,
  { method, path, token, headers, body }: ApiRequest,
): Promise<ApiAnswer<B>> {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      ...(headers ?? (token === undefined ? {} : { authorization: `Bearer ${token}` })),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (text === '' && response.status === 204) return { status: 204, text, body: {} as B };
  try {
    return { status: response.status, text, body: JSON.parse(text) as B };
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON`);
  }
}
