/**
 * Secrets Manager on a loopback port, speaking the AWS JSON 1.1 protocol the client uses
 * (`X-Amz-Target: secretsmanager.<Operation>`), for the calls the channel secret store
 * makes: CreateSecret, PutSecretValue, GetSecretValue, with Secrets Manager's own error
 * types. It records each call as it came, so a test can see what reached the service.
 */
import {
  type AwsCall,
  type AwsOperations,
  AwsServiceError as ServiceError,
  startAwsJsonServer,
} from './aws-json-server';

export type SecretsCall = AwsCall;

export type SecretsManagerServer = {
  url: string;
  calls: SecretsCall[];
  /** secret name -> its versions' strings, oldest first */
  secrets: Map<string, string[]>;
  /** runs once, just before the next call of `operation` is answered */
  beforeNext(operation: string, act: () => void): void;
  close(): Promise<void>;
};

export async function startSecretsManager(): Promise<SecretsManagerServer> {
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

  const operations: AwsOperations = {
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

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    operations,
    internalError: 'InternalServiceError',
    before: (operation) => {
      const hook = hooks.get(operation);
      hooks.delete(operation);
      hook?.();
    },
  });
  return {
    url: server.url,
    calls: server.calls,
    secrets,
    beforeNext: (operation, act) => hooks.set(operation, act),
    close: () => server.close(),
  };
}
