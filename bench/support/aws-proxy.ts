/**
 * A loopback proxy in front of a local emulator (dynalite or fauxqs) that counts each
 * request by its operation (the JSON protocol's X-Amz-Target) and, for DynamoDB, meters
 * it with a DynamoMeter. SDK clients pointed at it (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS) are counted whoever made them; nothing in Crier changes.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoMeter } from './dynamo-meter';
import { isRecord } from './dynamo-meter';

export type MeteringProxy = {
  endpoint: string;
  /** requests by operation, e.g. `SendMessage` */
  counts: Record<string, number>;
  reset(): void;
  stop(): Promise<void>;
};

async function body(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function parseJson(buffer: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function startMeteringProxy(options: {
  target: string;
  meter?: DynamoMeter;
}): Promise<MeteringProxy> {
  const upstream = new URL(options.target);
  const counts: Record<string, number> = {};
  const server = createServer(async (incoming, outgoing) => {
    try {
      // JSON protocols name the operation in a header; S3's REST calls go by their method.
      const target = incoming.headers['x-amz-target'];
      const operation =
        typeof target === 'string' ? (target.split('.').pop() ?? target) : `S3 ${incoming.method}`;
      counts[operation] = (counts[operation] ?? 0) + 1;
      let payload = await body(incoming);
      const input = options.meter ? parseJson(payload) : undefined;
      const strip = input && options.meter ? options.meter.prepare(operation, input).strip : [];
      if (input && strip.length) payload = Buffer.from(JSON.stringify(input));

      const answer = await new Promise<{
        status: number;
        headers: IncomingMessage['headers'];
        body: Buffer;
      }>((resolve, reject) => {
        const forwarded = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: { ...incoming.headers, host: upstream.host, 'content-length': payload.length },
          },
          (response) => {
            body(response).then(
              (data) =>
                resolve({
                  status: response.statusCode ?? 500,
                  headers: response.headers,
                  body: data,
                }),
              reject,
            );
          },
        );
        forwarded.on('error', reject);
        forwarded.end(payload);
      });

      let out = answer.body;
      if (input && options.meter) {
        const output = answer.status === 200 ? parseJson(answer.body) : undefined;
        options.meter.record(operation, input, output);
        if (output && strip.length) {
          for (const name of strip) delete output[name];
          out = Buffer.from(JSON.stringify(output));
        }
      }
      const headers: Record<string, string | string[] | undefined> = {
        ...answer.headers,
        'content-length': String(out.length),
      };
      // The emulators' checksums cover the body they sent, not a rewritten one.
      delete headers['x-amz-crc32'];
      outgoing.writeHead(answer.status, headers);
      outgoing.end(out);
    } catch (error) {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    reset() {
      for (const key of Object.keys(counts)) delete counts[key];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
