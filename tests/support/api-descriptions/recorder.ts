/**
 * A recording proxy in front of a sandbox: the client is pointed at it through the
 * credentials' endpoint override, and every exchange (request and answer, bytes and all)
 * is kept for the checks against the network's own API description.
 */
import { createServer, type OutgoingHttpHeaders, request } from 'node:http';
import { listenOnLoopback } from '../../../infra/local/sandbox/kit/loopback';

export type Exchange = {
  method: string;
  /** the Host the client named (X keeps api.x.com and upload.x.com) */
  host: string;
  path: string;
  query: URLSearchParams;
  requestType: string;
  /** the request's headers, names in lower case */
  requestHeaders: Record<string, string>;
  requestBody: Buffer;
  status: number;
  responseType: string;
  /** the answer's headers, names in lower case */
  responseHeaders: Record<string, string>;
  responseBody: Buffer;
};

const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive']);

export type Recorder = {
  url: string;
  exchanges: Exchange[];
  stop(): Promise<void>;
};

const read = (stream: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

export async function startRecorder(target: string): Promise<Recorder> {
  const exchanges: Exchange[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const url = new URL(req.url ?? '/', 'http://recorder');
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers,
        },
        (answer) => {
          void read(answer).then((answerBody) => {
            exchanges.push({
              method: req.method ?? 'GET',
              host: String(req.headers.host ?? ''),
              path: url.pathname,
              query: url.searchParams,
              requestType: String(req.headers['content-type'] ?? ''),
              requestHeaders: Object.fromEntries(
                Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
              ),
              requestBody: body,
              status: answer.statusCode ?? 0,
              responseType: String(answer.headers['content-type'] ?? ''),
              responseHeaders: Object.fromEntries(
                Object.entries(answer.headers).map(([name, value]) => [name, String(value)]),
              ),
              responseBody: answerBody,
            });
            // Hop-by-hop headers stay behind: the proxy keeps its own connection with the client.
            const out: OutgoingHttpHeaders = Object.fromEntries(
              Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
            );
            out['content-length'] = String(answerBody.length);
            res.writeHead(answer.statusCode ?? 502, out);
            res.end(answerBody);
          });
        },
      );
      // The sandbox may answer and close before it read the whole body: the answer stands.
      forwarded.on('error', () => {
        if (!res.headersSent) res.destroy();
      });
      forwarded.end(body);
    })();
  });
  // A client may keep a connection idle while it works out a refusal of its own (a long
  // text counted); the proxy must not be the one to close it under the client.
  server.keepAliveTimeout = 60_000;
  const loopback = await listenOnLoopback(server);
  return { url: loopback.url, exchanges, stop: () => loopback.close() };
}
