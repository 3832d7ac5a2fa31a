/**
 * Crier's own secrets, apart from index.ts: the Secrets Manager client goes only into
 * the bundles of the functions that read one.
 */
import { requireSecret } from '../config/secrets';
import type { SecretName } from '../resources';

/**
 * One of Crier's own secrets: the variable itself locally, the Secrets Manager secret
 * `<NAME>_ARN` names in AWS. Handlers await it at module load, so a missing secret fails
 * the cold start, not a request.
 */
export const secret = (name: SecretName): Promise<string> => requireSecret(name);
