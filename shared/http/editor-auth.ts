/**
 * Who may use the editor API. In AWS, API Gateway's JWT authorizer (Cognito) has
 * already checked the token and passes its claims; locally, a bearer token from
 * CRIER_EDITOR_TOKEN is compared here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors';
import type { HttpEvent } from './event';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function authorizeEditor(
  event: HttpEvent,
  editorToken: string | undefined,
): { editor: string } {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims) {
    const subject = claims['cognito:username'] ?? claims.username ?? claims.sub;
    return { editor: typeof subject === 'string' ? subject : 'editor' };
  }
  const header = event.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (!editorToken || !match?.[1] || !timingSafeEqual(digest(match[1]), digest(editorToken))) {
    throw new UnauthorizedError('Missing or invalid editor token');
  }
  return { editor: 'editor' };
}
