/** The XRPC methods the Bluesky sandbox serves, sessions among them, and their dispatch. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../kit/http';
import { getPosts } from './feed';
import { createRecord, deleteRecord, getRecord, listRecords, uploadBlob } from './records';
import { type BlueskyState, type Call, REFRESH_GRACE_MS } from './state';
import { ACCESS_SCOPE, REFRESH_SCOPE } from './tokens';
import {
  authenticate,
  fail,
  field,
  INTERNAL,
  invalid,
  jsonBody,
  sameSecret,
  send,
  text,
} from './xrpc';

const JSON_LIMIT = 1_000_000;
/** The PDS's default blob upload limit (5 MiB); a record checks the lexicon's own limit. */
const BLOB_LIMIT = 5 * 1024 * 1024;

type Route = {
  method: 'GET' | 'POST';
  /** request bodies larger than this are refused with 413 */
  limit?: number;
  handle(call: Call): Promise<void> | void;
};

function createSession(call: Call) {
  const parsed = jsonBody(call, 'com.atproto.server.createSession');
  if (!parsed.ok) return fail(call.res, parsed.failure);
  const identifier = text(parsed.body, 'identifier') ?? '';
  const password = text(parsed.body, 'password') ?? '';
  const found = call.state.byIdentifier(identifier);
  if (!found || !sameSecret(password, found.password) || found.passwordRefusedUntil > Date.now()) {
    const message = 'Invalid identifier or password';
    return fail(call.res, { status: 401, error: 'AuthenticationRequired', message });
  }
  send(call.res, 200, call.state.sessionBody(found));
}

/**
 * A refresh rotates the token: the first use gets a token with a new id, and for two hours
 * (at most until it expires) the used one still refreshes, always to a token with that
 * same id, so a refresh whose answer was lost can be made again. Then it is revoked.
 */
function refreshSession(call: Call) {
  const auth = authenticate(call, REFRESH_SCOPE);
  if (!auth) return;
  const { account } = auth;
  const { jti, exp } = auth.claims;
  const now = Date.now();
  const grace = jti ? account.rotated.get(jti) : undefined;
  if (jti && account.refreshIds.delete(jti)) {
    const body = call.state.sessionBody(account);
    const until = Math.min(now + REFRESH_GRACE_MS, exp * 1000);
    account.rotated.set(jti, { nextId: jtiOf(body.refreshJwt), until });
    call.state.note('refreshed');
    return send(call.res, 200, body);
  }
  if (jti && grace && grace.until > now) {
    call.state.note('refreshed');
    return send(call.res, 200, call.state.sessionBody(account, grace.nextId));
  }
  if (jti) account.rotated.delete(jti);
  return fail(call.res, {
    status: 400,
    error: 'ExpiredToken',
    message: 'Token has been revoked',
  });
}

/** The `jti` of a refresh JWT this sandbox just signed. */
function jtiOf(refreshJwt: string): string {
  const payload: unknown = JSON.parse(
    Buffer.from(refreshJwt.split('.')[1] ?? '', 'base64url').toString('utf8'),
  );
  const jti = field(payload, 'jti');
  if (typeof jti !== 'string') throw new Error('a refresh token without a jti');
  return jti;
}

function getSession(call: Call) {
  const auth = authenticate(call, ACCESS_SCOPE);
  if (!auth) return;
  const { account: a } = auth;
  send(call.res, 200, {
    handle: a.handle,
    did: a.did,
    email: a.email,
    emailConfirmed: true,
    emailAuthFactor: false,
    active: true,
  });
}

function deleteSession(call: Call) {
  const auth = authenticate(call, REFRESH_SCOPE);
  if (!auth) return;
  const { jti } = auth.claims;
  if (jti && (auth.account.refreshIds.delete(jti) || auth.account.rotated.delete(jti))) {
    call.state.note('revoked');
  }
  call.res.writeHead(200).end();
}

/** The AT Protocol's handle syntax: two labels or more, the last not starting with a digit. */
const HANDLE =
  /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/**
 * com.atproto.identity.resolveHandle for the handles the sandbox knows; any other is the
 * PDS's 400 `InvalidRequest` "Unable to resolve handle", and a string that is not a
 * handle at all the PDS's plain 500 (its handle check throws outside XRPC's errors).
 * No session is needed.
 */
function resolveHandle(call: Call) {
  const handle = call.params.get('handle');
  if (!handle) {
    return fail(call.res, invalid('Error: Params must have the property "handle"'));
  }
  if (handle.length > 253 || !HANDLE.test(handle)) return fail(call.res, INTERNAL);
  const did = call.state.handles.get(handle.toLowerCase());
  if (!did) return fail(call.res, invalid('Unable to resolve handle'));
  send(call.res, 200, { did });
}

const ROUTES: Record<string, Route> = {
  _health: { method: 'GET', handle: ({ res }) => send(res, 200, { version: 'crier-sandbox' }) },
  'com.atproto.server.createSession': { method: 'POST', handle: createSession },
  'com.atproto.server.refreshSession': { method: 'POST', handle: refreshSession },
  'com.atproto.server.getSession': { method: 'GET', handle: getSession },
  'com.atproto.server.deleteSession': { method: 'POST', handle: deleteSession },
  'com.atproto.identity.resolveHandle': { method: 'GET', handle: resolveHandle },
  'com.atproto.repo.createRecord': { method: 'POST', handle: createRecord },
  'com.atproto.repo.getRecord': { method: 'GET', handle: getRecord },
  'com.atproto.repo.listRecords': { method: 'GET', handle: listRecords },
  'com.atproto.repo.deleteRecord': { method: 'POST', handle: deleteRecord },
  'com.atproto.repo.uploadBlob': { method: 'POST', limit: BLOB_LIMIT, handle: uploadBlob },
  'app.bsky.feed.getPosts': { method: 'GET', handle: getPosts },
};

/** `/xrpc/<nsid>`: the method, its HTTP method, its body, then the route. */
export async function handle(
  state: BlueskyState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  nsid: string | undefined,
): Promise<void> {
  if (nsid === undefined) return send(res, 404, { error: 'NotFound', message: 'Not Found' });
  const route = Object.hasOwn(ROUTES, nsid) ? ROUTES[nsid] : undefined;
  if (!route) {
    const message = 'Method Not Implemented';
    return fail(res, { status: 501, error: 'MethodNotImplemented', message });
  }
  if (req.method !== route.method) {
    return fail(res, invalid(`Incorrect HTTP method (${req.method}) expected ${route.method}`));
  }
  const body =
    route.method === 'POST' ? await readBody(req, route.limit ?? JSON_LIMIT) : Buffer.alloc(0);
  if (body === 'too-large') {
    const message = 'request entity too large';
    return fail(res, { status: 413, error: 'PayloadTooLarge', message });
  }
  await route.handle({ state, req, res, params: url.searchParams, body });
}
