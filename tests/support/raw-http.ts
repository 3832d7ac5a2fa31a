/**
 * Sends a request with exactly the header lines given (repeats, any case, latin-1
 * bytes), as a careless or hostile client would; fetch would merge or refuse some.
 */
import { type IncomingHttpHeaders, request } from 'node:http';

export type RawResponse = { status: number; headers: IncomingHttpHeaders; body: string };

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  body?: string | Buffer,
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(body);
  // Raw header lines leave out what Node would add on its own: Host and the length.
  const lines: string[] = ['host', url.host];
  for (const [name, value] of headers) lines.push(name, value);
  if (payload && !headers.some(([name]) => name.toLowerCase() === 'content-length')) {
    lines.push('content-length', String(payload.length));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: lines }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
