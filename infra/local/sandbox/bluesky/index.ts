/**
 * A tiny Bluesky PDS on loopback that @atproto/api talks to unchanged: sessions with
 * rotating refresh tokens, createRecord under a client-chosen record key, getRecord,
 * listRecords, deleteRecord and uploadBlob, with the PDS's own status codes and bodies
 * (docs/networks.md, Bluesky) and the fault knobs of `faults.ts` on createRecord.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { lexicons } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { POST_FAULTS } from '../faults';
import { listenOnLoopback } from '../kit/loopback';
import type { RunningSandbox, SandboxContext, SandboxFactory } from '../types';
import { cidFor, type RecordLookup, Repo, type StoredRecord, type XrpcFailure } from './repo';
import { ACCESS_SCOPE, REFRESH_SCOPE, TokenIssuer } from './tokens';

export type BlueskySandboxOptions = {
  /** the one account's handle, as a channel's `account` names it */
  handle?: string;
  /**
   * Access token lifetime. The PDS gives 120 minutes; the sandbox's default is shorter so
   * that a local run sees the agent refresh, and a test can make it expire at once.
   */
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
};

export type RunningBlueskySandbox = RunningSandbox & {
  credentials: { service: string; identifier: string; password: string };
};

const SLOW_MS = 3000;
const JSON_LIMIT = 1_000_000;
/** The PDS's default blob upload limit (5 MiB); a record checks the lexicon's own limit. */
const BLOB_LIMIT = 5 * 1024 * 1024;
/** The PDS's `repo-write-hour` limit: 5,000 points, a create costs 3 and a delete 1. */
const WRITE_POINTS_PER_HOUR = 5000;
const HOUR_MS = 3_600_000;

type Account = {
  did: string;
  handle: string;
  email: string;
  password: string;
  repo: Repo;
  /** refresh token ids still valid; rotation and revocation remove them */
  refreshIds: Set<string>;
  /** creates are refused with 429 until then (a `429` fault) */
  rateLimitedUntil: number;
  /** password logins are refused until then (an `auth` fault: the app password was revoked) */
  passwordRefusedUntil: number;
  writes: { windowStart: number; points: number };
};

type Call = { req: IncomingMessage; res: ServerResponse; params: URLSearchParams; body: Buffer };

type Route = {
  method: 'GET' | 'POST';
  /** request bodies larger than this are refused with 413 */
  limit?: number;
  handle(call: Call): Promise<void> | void;
};

function appPassword(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const chars = Array.from(randomBytes(16), (byte) => alphabet[byte % 32]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

function randomDid(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `did:plc:${Array.from(randomBytes(24), (byte) => alphabet[byte % 32]).join('')}`;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function fail(
  res: ServerResponse,
  failure: XrpcFailure,
  headers?: Record<string, string | number>,
) {
  send(res, failure.status, { error: failure.error, message: failure.message }, headers);
}

const invalid = (message: string): XrpcFailure => ({
  status: 400,
  error: 'InvalidRequest',
  message,
});

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function jsonBody(
  call: Call,
  nsid: string,
): { ok: true; body: unknown } | { ok: false; failure: XrpcFailure } {
  const type = (call.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      ok: false,
      failure: invalid(`Wrong request encoding (Content-Type): ${type || 'none'}`),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(call.body.toString('utf8'));
  } catch {
    return { ok: false, failure: invalid('Request body is not valid JSON') };
  }
  try {
    lexicons.assertValidXrpcInput(nsid, body);
  } catch (error) {
    return { ok: false, failure: invalid(error instanceof Error ? error.message : String(error)) };
  }
  return { ok: true, body };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && name in body
    ? Object.getOwnPropertyDescriptor(body, name)?.value
    : undefined;
}

function text(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

export function blueskySandbox(options: BlueskySandboxOptions = {}): SandboxFactory {
  return (context) => startBluesky(context, options);
}

export const startBlueskySandbox: SandboxFactory = blueskySandbox();

async function startBluesky(
  context: SandboxContext,
  options: BlueskySandboxOptions,
): Promise<RunningBlueskySandbox> {
  const log = context.log;
  const handle = options.handle ?? 'newsroom.bsky.social';
  const did = randomDid();
  const account: Account = {
    did,
    handle,
    email: `${handle.split('.')[0] ?? 'newsroom'}@example.org`,
    password: appPassword(),
    repo: new Repo(did),
    refreshIds: new Set(),
    rateLimitedUntil: 0,
    passwordRefusedUntil: 0,
    writes: { windowStart: 0, points: 0 },
  };
  const accounts = new Map([[did, account]]);
  const byIdentifier = (identifier: string) => {
    const wanted = identifier.trim().toLowerCase();
    return [...accounts.values()].find(
      (a) => a.did === identifier || a.handle === wanted || a.email === wanted,
    );
  };

  /** A record by its `at://` URI, for a reply's references: only this sandbox's repositories are known. */
  const findRecord: RecordLookup = (uri) => {
    const match = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
    const owner = match?.[1] ? byIdentifier(match[1]) : undefined;
    if (!match || !owner) return 'elsewhere';
    return owner.repo.get(match[2] ?? '', match[3] ?? '');
  };

  const server = createServer();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  const loopback = await listenOnLoopback(server);
  const { port, url } = loopback;
  const issuer = new TokenIssuer(`did:web:127.0.0.1%3A${port}`, {
    accessSeconds: options.accessTokenSeconds ?? 300,
    refreshSeconds: options.refreshTokenSeconds ?? 90 * 24 * 3600,
  });

  /** Resolves after `ms`, or never when the sandbox stops first (its sockets are destroyed). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const sessionBody = (a: Account) => {
    const tokens = issuer.issue(a.did);
    a.refreshIds.add(tokens.jti);
    // No didDoc: @atproto/api would send every later request to the PDS it names.
    return {
      accessJwt: tokens.accessJwt,
      refreshJwt: tokens.refreshJwt,
      handle: a.handle,
      did: a.did,
      email: a.email,
      emailConfirmed: true,
      emailAuthFactor: false,
      active: true,
    };
  };

  const authenticate = (call: Call, scope: typeof ACCESS_SCOPE | typeof REFRESH_SCOPE) => {
    const token = bearer(call.req);
    if (!token) {
      fail(call.res, { status: 401, error: 'AuthMissing', message: 'Authentication Required' });
      return undefined;
    }
    const verified = issuer.verify(token, scope);
    if (!verified.ok) {
      fail(call.res, verified.failure);
      return undefined;
    }
    const found = accounts.get(verified.claims.sub);
    if (!found) {
      fail(call.res, {
        status: 400,
        error: 'InvalidToken',
        message: 'Token could not be verified',
      });
      return undefined;
    }
    return { account: found, claims: verified.claims };
  };

  /** The repo a write names must be the caller's own (by DID or handle). */
  const ownRepo = (call: Call, caller: Account, repo: string | undefined): boolean => {
    const target = repo ? byIdentifier(repo) : undefined;
    if (!target) {
      fail(call.res, invalid(`Could not find repo: ${repo}`));
      return false;
    }
    if (target !== caller) {
      fail(call.res, {
        status: 401,
        error: 'AuthenticationRequired',
        message: 'Authentication Required',
      });
      return false;
    }
    return true;
  };

  const writeHeaders = (a: Account, now: number, points: number) => {
    if (now - a.writes.windowStart >= HOUR_MS) a.writes = { windowStart: now, points: 0 };
    a.writes.points += points;
    return {
      'RateLimit-Limit': WRITE_POINTS_PER_HOUR,
      'RateLimit-Remaining': Math.max(0, WRITE_POINTS_PER_HOUR - a.writes.points),
      'RateLimit-Reset': Math.floor((a.writes.windowStart + HOUR_MS) / 1000),
      'RateLimit-Policy': `${WRITE_POINTS_PER_HOUR};w=${HOUR_MS / 1000}`,
    };
  };

  const rateLimited = (res: ServerResponse, a: Account, now: number) => {
    fail(
      res,
      { status: 429, error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
      {
        'RateLimit-Limit': WRITE_POINTS_PER_HOUR,
        'RateLimit-Remaining': 0,
        'RateLimit-Reset': Math.floor(a.rateLimitedUntil / 1000),
        'RateLimit-Policy': `${WRITE_POINTS_PER_HOUR};w=${HOUR_MS / 1000}`,
        'Retry-After': Math.ceil((a.rateLimitedUntil - now) / 1000),
      },
    );
  };

  const recordView = (r: StoredRecord) => ({ uri: r.uri, cid: r.cid, value: r.value });
  const commitMeta = (r: StoredRecord) => ({
    cid: cidFor(Buffer.from(`${r.uri}#${Date.now()}`), 'dag-cbor'),
    rev: TID.nextStr(),
  });

  const routes: Record<string, Route> = {
    _health: { method: 'GET', handle: ({ res }) => send(res, 200, { version: 'crier-sandbox' }) },

    'com.atproto.server.createSession': {
      method: 'POST',
      handle: (call) => {
        const parsed = jsonBody(call, 'com.atproto.server.createSession');
        if (!parsed.ok) return fail(call.res, parsed.failure);
        const identifier = text(parsed.body, 'identifier') ?? '';
        const password = text(parsed.body, 'password') ?? '';
        const found = byIdentifier(identifier);
        if (
          !found ||
          !sameSecret(password, found.password) ||
          found.passwordRefusedUntil > Date.now()
        ) {
          return fail(call.res, {
            status: 401,
            error: 'AuthenticationRequired',
            message: 'Invalid identifier or password',
          });
        }
        send(call.res, 200, sessionBody(found));
      },
    },

    'com.atproto.server.refreshSession': {
      method: 'POST',
      handle: (call) => {
        const auth = authenticate(call, REFRESH_SCOPE);
        if (!auth) return;
        const jti = auth.claims.jti;
        if (!jti || !auth.account.refreshIds.delete(jti)) {
          return fail(call.res, {
            status: 400,
            error: 'ExpiredToken',
            message: 'Token has been revoked',
          });
        }
        send(call.res, 200, sessionBody(auth.account));
      },
    },

    'com.atproto.server.getSession': {
      method: 'GET',
      handle: (call) => {
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
      },
    },

    'com.atproto.server.deleteSession': {
      method: 'POST',
      handle: (call) => {
        const auth = authenticate(call, REFRESH_SCOPE);
        if (!auth) return;
        if (auth.claims.jti) auth.account.refreshIds.delete(auth.claims.jti);
        call.res.writeHead(200).end();
      },
    },

    'com.atproto.repo.createRecord': {
      method: 'POST',
      handle: async (call) => {
        const auth = authenticate(call, ACCESS_SCOPE);
        if (!auth) return;
        const a = auth.account;
        if (a.rateLimitedUntil > Date.now()) return rateLimited(call.res, a, Date.now());

        const fault = context.faults.pick('bluesky', POST_FAULTS);
        if (fault) log.info('sandbox.fault', { nsid: 'com.atproto.repo.createRecord', fault });
        if (fault === 'slow') await sleep(SLOW_MS);
        switch (fault) {
          case '429': {
            const now = Date.now();
            // On a whole second, so that RateLimit-Reset (Unix seconds) names the instant itself.
            a.rateLimitedUntil =
              Math.ceil((now + context.faults.resetSeconds * 1000) / 1000) * 1000;
            return rateLimited(call.res, a, now);
          }
          case '500':
            return fail(call.res, {
              status: 500,
              error: 'InternalServerError',
              message: 'Internal Server Error',
            });
          case '502':
            return fail(call.res, {
              status: 502,
              error: 'UpstreamFailure',
              message: 'Upstream Failure',
            });
          case '503':
            return fail(call.res, {
              status: 503,
              error: 'NotEnoughResources',
              message: 'Not Enough Resources',
            });
          case 'reset':
            call.req.socket.destroy();
            return;
          case 'auth':
            // As when the app password is revoked: its sessions die and it no longer logs
            // in. The sandbox takes it back after the reset time, as an operator would
            // paste a new one.
            a.refreshIds.clear();
            a.passwordRefusedUntil = Date.now() + context.faults.resetSeconds * 1000;
            return fail(call.res, {
              status: 401,
              error: 'AuthenticationRequired',
              message: 'Token has been revoked',
            });
          case 'expired-token':
            return fail(call.res, {
              status: 400,
              error: 'ExpiredToken',
              message: 'Token has expired',
            });
        }

        const parsed = jsonBody(call, 'com.atproto.repo.createRecord');
        if (!parsed.ok) return fail(call.res, parsed.failure);
        const { body } = parsed;
        if (!ownRepo(call, a, text(body, 'repo'))) return;
        const validate = field(body, 'validate');
        const created = a.repo.create({
          collection: text(body, 'collection') ?? '',
          rkey: text(body, 'rkey'),
          record: field(body, 'record'),
          validate: typeof validate === 'boolean' ? validate : undefined,
          lookup: findRecord,
        });
        if (!created.ok) {
          log.info('sandbox.refused', {
            nsid: 'com.atproto.repo.createRecord',
            status: created.failure.status,
            error: created.failure.error,
            message: created.failure.message,
          });
          return fail(call.res, created.failure);
        }
        const { record, post } = created;
        if (post) {
          context.posts.add({
            platform: 'bluesky',
            remoteId: record.uri,
            inReplyToId: post.inReplyTo,
            text: post.text,
            account: a.handle,
            url: `https://bsky.app/profile/${a.handle}/post/${record.rkey}`,
            ...(post.card ? { card: post.card } : {}),
            ...(post.media ? { media: post.media } : {}),
          });
          log.info('sandbox.posted', { remoteId: record.uri });
        }

        switch (fault) {
          case 'timeout':
            // Committed; the answer never comes. The socket stays open until the client
            // gives up or the sandbox stops.
            return;
          case 'crash-after-post':
            call.req.socket.destroy();
            return;
          case '500-after-post':
            return fail(call.res, {
              status: 500,
              error: 'InternalServerError',
              message: 'Internal Server Error',
            });
        }
        send(
          call.res,
          200,
          {
            uri: record.uri,
            cid: record.cid,
            commit: commitMeta(record),
            validationStatus: 'valid',
          },
          writeHeaders(a, Date.now(), 3),
        );
      },
    },

    'com.atproto.repo.getRecord': {
      method: 'GET',
      handle: (call) => {
        // No auth needed; a token that is sent is still checked, as the PDS does.
        if (bearer(call.req) && !authenticate(call, ACCESS_SCOPE)) return;
        const { params } = call;
        const repo = params.get('repo');
        const collection = params.get('collection');
        const rkey = params.get('rkey');
        if (!repo || !collection || !rkey) {
          const missing = !repo ? 'repo' : !collection ? 'collection' : 'rkey';
          return fail(call.res, invalid(`Params must have the property "${missing}"`));
        }
        const target = byIdentifier(repo);
        if (!target) return fail(call.res, invalid(`Could not find repo: ${repo}`));
        const record = target.repo.get(collection, rkey);
        const cid = params.get('cid');
        if (!record || (cid && cid !== record.cid)) {
          return fail(call.res, {
            status: 400,
            error: 'RecordNotFound',
            message: `Could not locate record: at://${target.did}/${collection}/${rkey}`,
          });
        }
        send(call.res, 200, recordView(record));
      },
    },

    'com.atproto.repo.listRecords': {
      method: 'GET',
      handle: (call) => {
        if (bearer(call.req) && !authenticate(call, ACCESS_SCOPE)) return;
        const { params } = call;
        const repo = params.get('repo');
        const collection = params.get('collection');
        if (!repo || !collection) {
          const missing = !repo ? 'repo' : 'collection';
          return fail(call.res, invalid(`Params must have the property "${missing}"`));
        }
        const limit = Number(params.get('limit') ?? 50);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
          return fail(call.res, invalid('Params/limit must be between 1 and 100'));
        }
        const target = byIdentifier(repo);
        if (!target) return fail(call.res, invalid(`Could not find repo: ${repo}`));
        const page = target.repo.list(collection, {
          limit,
          cursor: params.get('cursor') ?? undefined,
          reverse: params.get('reverse') === 'true',
        });
        send(call.res, 200, {
          records: page.records.map(recordView),
          ...(page.cursor ? { cursor: page.cursor } : {}),
        });
      },
    },

    'com.atproto.repo.deleteRecord': {
      method: 'POST',
      handle: (call) => {
        const auth = authenticate(call, ACCESS_SCOPE);
        if (!auth) return;
        const parsed = jsonBody(call, 'com.atproto.repo.deleteRecord');
        if (!parsed.ok) return fail(call.res, parsed.failure);
        const { body } = parsed;
        const a = auth.account;
        if (!ownRepo(call, a, text(body, 'repo'))) return;
        const deleted = a.repo.delete(text(body, 'collection') ?? '', text(body, 'rkey') ?? '');
        // Deleting a record that is not there succeeds too, and changes nothing.
        if (!deleted) return send(call.res, 200, {}, writeHeaders(a, Date.now(), 1));
        context.posts.remove('bluesky', deleted.uri);
        log.info('sandbox.deleted', { remoteId: deleted.uri });
        send(call.res, 200, { commit: commitMeta(deleted) }, writeHeaders(a, Date.now(), 1));
      },
    },

    'com.atproto.repo.uploadBlob': {
      method: 'POST',
      limit: BLOB_LIMIT,
      handle: (call) => {
        const auth = authenticate(call, ACCESS_SCOPE);
        if (!auth) return;
        const mimeType =
          (call.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ||
          'application/octet-stream';
        const blob = auth.account.repo.addBlob(call.body, mimeType);
        send(call.res, 200, {
          blob: { $type: 'blob', ref: { $link: blob.cid }, mimeType, size: blob.size },
        });
      },
    },
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const nsid = requestUrl.pathname.startsWith('/xrpc/')
      ? decodeURIComponent(requestUrl.pathname.slice('/xrpc/'.length))
      : undefined;
    res.on('close', () => {
      log.debug('sandbox.request', {
        method: req.method,
        nsid: nsid ?? requestUrl.pathname,
        status: res.writableFinished ? res.statusCode : 'no answer',
      });
    });
    const route = nsid === undefined ? undefined : routes[nsid];
    void (async () => {
      if (nsid === undefined) {
        return send(res, 404, { error: 'NotFound', message: 'Not Found' });
      }
      if (!route) {
        return fail(res, {
          status: 501,
          error: 'MethodNotImplemented',
          message: 'Method Not Implemented',
        });
      }
      if (req.method !== route.method) {
        return fail(res, invalid(`Incorrect HTTP method (${req.method}) expected ${route.method}`));
      }
      const body =
        route.method === 'POST' ? await readBody(req, route.limit ?? JSON_LIMIT) : Buffer.alloc(0);
      if (body === 'too-large') {
        return fail(res, {
          status: 413,
          error: 'PayloadTooLarge',
          message: 'request entity too large',
        });
      }
      await route.handle({ req, res, params: requestUrl.searchParams, body });
    })().catch((error: unknown) => {
      log.error('sandbox.error', { nsid, error });
      if (!res.headersSent && !stopping) {
        fail(res, { status: 500, error: 'InternalServerError', message: 'Internal Server Error' });
      }
    });
  });

  log.info('sandbox.listening', { url, handle, did });

  return {
    platform: 'bluesky',
    url,
    account: handle,
    credentials: { service: url, identifier: handle, password: account.password },
    stop: async () => {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await loopback.close();
    },
  };
}
