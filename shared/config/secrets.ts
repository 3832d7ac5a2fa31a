/**
 * Secrets a function needs at cold start: from the environment variable itself (the
 * local runtime), or from Secrets Manager when `<NAME>_ARN` names a secret (AWS). The
 * value never reaches a log or an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;

export async function readSecret(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const arn = env[`${name}_ARN`]?.trim();
  if (!arn) return undefined;
  client ??= new SecretsManagerClient({});
  const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = result.SecretString?.trim();
  if (!value) throw new Error(`The secret named by ${name}_ARN has no string value`);
  return value;
}

export async function requireSecret(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const value = await readSecret(name, env);
  if (!value) throw new Error(`Missing secret: set ${name} or ${name}_ARN`);
  return value;
}
