/**
 * A loopback server for an AWS service that speaks the JSON 1.1 protocol (`X-Amz-Target:
 * <prefix>.<Operation>`), for the SDK's real clients in tests: each call is recorded,
 * answered by its operation's handler, and a thrown `AwsServiceError` comes back as the
 * service's typed error.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AwsCall = { operation: string; input: Record<string, unknown> };

export type AwsOperations = Record<string, (input: Record<string, unknown>) => unknown>;

/** An error the service answers with its `__type` (e.g. `ResourceNotFoundException`). */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export type AwsJsonServer = { url: string; calls: AwsCall[]; close(): Promise<void> };

export async function startAwsJsonServer(options: {
  /** the target's prefix before the operation, e.g. `secretsmanager` */
  targetPrefix: string;
  operations: AwsOperations;
  /** runs before the operation; may throw an AwsServiceError */
  before?: (operation: string, input: Record<string, unknown>) => void;
  /** the `__type` of an error that is not an AwsServiceError */
  internalError: string;
}): Promise<AwsJsonServer> {
  const calls: AwsCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace(`${options.targetPrefix}.`, '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      calls.push({ operation, input });
      const send = (status: number, body: unknown, type?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        });
        response.end(JSON.stringify(body));
      };
      try {
        options.before?.(operation, input);
        const handle = options.operations[operation];
        if (!handle) throw new AwsServiceError('UnknownOperationException', operation);
        send(200, handle(input));
      } catch (error) {
        const type = error instanceof AwsServiceError ? error.type : options.internalError;
        send(400, { __type: type, message: (error as Error).message }, type);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
