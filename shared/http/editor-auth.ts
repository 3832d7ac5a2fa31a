/**
 * Who may use the editor API, and as whom. In AWS, API Gateway's JWT authorizer (Cognito)
 * has already checked the token and passes its claims; the `cognito:groups` claim must
 * name `editor` or `admin`. Locally, a bearer token from CRIER_EDITOR_TOKEN is compared
 * here, and its holder is an admin.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SITE_ID } from '../domain/article';
import type { Editor, TokenEditor } from '../domain/editor';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import type { HttpEvent } from './event';

// The roles are the Cognito groups the editor API knows (infra/stacks/stateful-stack.ts).
export {
  EDITOR_ROLES,
  type Editor,
  type EditorRole,
  mayAccessSite,
  type TokenEditor,
} from '../domain/editor';

/** Finds the editor a local bearer token belongs to, other than the admin's own token. */
export type EditorLookup = (token: string) => Promise<TokenEditor | undefined>;

/** Admin routes: anyone else is refused with a 403. */
export function requireAdmin(editor: Editor): void {
  if (editor.role !== 'admin') throw new ForbiddenError('Only an admin may do this');
}

/** The Cognito group that gives an editor one site: `site:<id>`. */
export const SITE_GROUP_PREFIX = 'site:';

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

/**
 * In AWS: an admin sees every site; an editor the sites of its `site:<id>` groups (in
 * none: the default site's). Locally: CRIER_EDITOR_TOKEN is an admin of every site, and a token
 * made by `POST /api/editors` is its editor's, found by `lookup`.
 */
export async function authorizeEditor(
  event: HttpEvent,
  editorToken: string | undefined,
  lookup?: EditorLookup,
): Promise<Editor> {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims) {
    const groups = groupsOf(claims['cognito:groups']);
    // admin first: someone in both groups has an admin's rights.
    const role = groups.includes('admin') ? 'admin' : groups.includes('editor') ? 'editor' : null;
    if (!role) throw new ForbiddenError('Only members of the editor or admin group may do this');
    const named = groups
      .filter((g) => g.startsWith(SITE_GROUP_PREFIX))
      .map((g) => g.slice(SITE_GROUP_PREFIX.length));
    // An editor in no site group is the default site's, as every editor was before sites.
    const sites = role === 'admin' ? 'all' : named.length > 0 ? named : [DEFAULT_SITE_ID];
    return { by: nameOf(claims), role, sites };
  }
  const header = event.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1];
  if (!given) throw new UnauthorizedError('Missing or invalid editor token');
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  if (editorToken && timingSafeEqual(digest(given), digest(editorToken))) {
    return { by: LOCAL_EDITOR, role: 'admin', sites: 'all' };
  }
  const found = lookup ? await lookup(given) : undefined;
  if (!found) throw new UnauthorizedError('Missing or invalid editor token');
  return {
    by: found.name,
    role: found.role,
    sites: found.role === 'admin' ? 'all' : [...found.sites],
  };
}
