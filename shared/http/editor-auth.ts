/**
 * Who may use the editor API, and as whom. In AWS, API Gateway's JWT authorizer (Cognito)
 * has already checked the token and passes its claims; the `cognito:groups` claim must
 * name `editor` or `admin`. Locally, a bearer token from CRIER_EDITOR_TOKEN is compared
 * here, and its holder is an admin.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import type { HttpEvent } from './event';

/** The Cognito groups the editor API knows (infra/stacks/stateful-stack.ts creates them). */
export const EDITOR_ROLES = ['editor', 'admin'] as const;
export type EditorRole = (typeof EDITOR_ROLES)[number];

/** Who is calling: `by` goes into each share's history, `role` decides what they may do. */
export type Editor = { by: string; role: EditorRole };

/** The name the local token's holder has in the history. */
export const LOCAL_EDITOR = 'editor';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A groups claim as it reaches the function: a JSON array when the claims are passed
 * through as they are, but API Gateway's HTTP API writes an array claim as one string,
 * `[editor admin]`; a single group may come bare, and some tools join with commas.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function nameOf(claims: Record<string, unknown>): string {
  for (const key of ['cognito:username', 'email', 'username', 'sub']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return 'editor';
}

export function authorizeEditor(event: HttpEvent, editorToken: string | undefined): Editor {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims) {
    const groups = groupsOf(claims['cognito:groups']);
    // admin first: someone in both groups has an admin's rights.
    const role = groups.includes('admin') ? 'admin' : groups.includes('editor') ? 'editor' : null;
    if (!role) throw new ForbiddenError('Only members of the editor or admin group may do this');
    return { by: nameOf(claims), role };
  }
  const header = event.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (!editorToken || !match?.[1] || !timingSafeEqual(digest(match[1]), digest(editorToken))) {
    throw new UnauthorizedError('Missing or invalid editor token');
  }
  return { by: LOCAL_EDITOR, role: 'admin' };
}
