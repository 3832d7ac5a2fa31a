/**
 * Secrets Manager on a loopback port, speaking the AWS JSON 1.1 protocol the client uses
 * (`X-Amz-Target: secretsmanager.<Operation>`), for the calls the channel secret store
 * makes: CreateSecret, PutSecretValue, GetSecretValue, with Secrets Manager's own error
 * types. It records each call as it came, so a test can see what reached the service.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SecretsCall = { operation: string; input: Record<string, unknown> };

export type SecretsManagerServer = {
  url: string;
  calls: SecretsCall[];
  /** secret name -> its versions' strings, oldest first */
  secrets: Map<string, string[]>;
  /** runs once, just before the next call of `operation` is answered */
  beforeNext(operation: string, act: () => void): void;
  close(): Promise<void>;
};

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startSecretsManager(): Promise<SecretsManagerServer> {
  const calls: SecretsCall[] = [];
  const secrets = new Map<string, string[]>();
  const hooks = new Map<string, () => void>();
  const arn = (name: string) =>
    `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${name}-AbCdEf`;
  const versionsOf = (id: unknown): { name: string; versions: string[] } => {
    const name = String(id);
    const versions = secrets.get(name);
    if (!versions) {
      throw new ServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return { name, versions };
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateSecret: (input) => {
      const name = String(input.Name);
      if (secrets.has(name)) {
        throw new ServiceError('ResourceExistsException', `The secret ${name} already exists.`);
      }
      secrets.set(name, [String(input.SecretString)]);
      return { ARN: arn(name), Name: name, VersionId: `v1` };
    },
    PutSecretValue: (input) => {
      const { name, versions } = versionsOf(input.SecretId);
      versions.push(String(input.SecretString));
      return { ARN: arn(name), Name: name, VersionId: `v${versions.length}` };
    },
    GetSecretValue: (input) => {
      const { name, versions } = versionsOf(input.SecretId);
      return {
        ARN: arn(name),
        Name: name,
        VersionId: `v${versions.length}`,
        SecretString: versions.at(-1),
        CreatedDate: Date.now() / 1000,
      };
    },
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace('secretsmanager.', '');
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
        const hook = hooks.get(operation);
        hooks.delete(operation);
        hook?.();
        const handle = operations[operation];
        if (!handle) throw new ServiceError('UnknownOperationException', operation);
        send(200, handle(input));
      } catch (error) {
        const type = error instanceof ServiceError ? error.type : 'InternalServiceError';
        send(400, { __type: type, message: (error as Error).message }, type);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    secrets,
    beforeNext: (operation, act) => hooks.set(operation, act),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
