/**
 * The Bluesky sandbox against the real PDS (tests/pds-server), call for call: the same raw
 * XRPC requests go to both and must get the same status and error name. Where the sandbox
 * is stricter on purpose (facets within the text, mentions of known DIDs, replies to posts
 * it holds), the test pins that down too: the real PDS takes what the sandbox refuses.
 */
import { TID } from '@atproto/common-web';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { blueskySandbox } from '../../../infra/local/sandbox/bluesky';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import {
  createRealAccount,
  type RealPds,
  realPdsInstalled,
  realPdsSuite,
  startRealPds,
} from '../../support/real-pds';

const POST = 'app.bsky.feed.post';

/** One server as the cases see it: an account logged in, a handle it knows and one it does not. */
type Target = {
  name: 'sandbox' | 'real PDS';
  url: string;
  identifier: string;
  password: string;
  did: string;
  accessJwt: string;
  refreshJwt: string;
  knownHandle: string;
  knownDid: string;
  unknownHandle: string;
};

type Answer = { status: number; error?: string; message?: string; body: Record<string, unknown> };

type Request = {
  method?: 'GET' | 'POST';
  token?: string;
  params?: Record<string, string>;
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
};

async function xrpc(target: Target, nsid: string, request: Request = {}): Promise<Answer> {
  const url = new URL(`/xrpc/${nsid}`, target.url);
  url.search = new URLSearchParams(request.params ?? {}).toString();
  const headers: Record<string, string> = {};
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let body: RequestInit['body'];
  if (request.json !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.bytes) {
    headers['content-type'] = request.contentType ?? 'application/octet-stream';
    body = request.bytes;
  }
  const method = request.method ?? (body === undefined ? 'GET' : 'POST');
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  const record: Record<string, unknown> = Object(parsed);
  return {
    status: response.status,
    ...(typeof record.error === 'string' ? { error: record.error } : {}),
    ...(typeof record.message === 'string' ? { message: record.message } : {}),
    body: record,
  };
}

const post = (extra: Record<string, unknown> = {}) => ({
  $type: POST,
  text: 'Parity',
  createdAt: new Date().toISOString(),
  ...extra,
});

const create = (t: Target, record: unknown, rkey?: string, repo = t.did) =>
  xrpc(t, 'com.atproto.repo.createRecord', {
    token: t.accessJwt,
    json: { repo, collection: POST, ...(rkey ? { rkey } : {}), record },
  });

const upload = (t: Target, bytes: Uint8Array, contentType: string) =>
  xrpc(t, 'com.atproto.repo.uploadBlob', { token: t.accessJwt, bytes, contentType });

const card = (thumb: unknown) =>
  post({
    embed: {
      $type: 'app.bsky.embed.external',
      external: { uri: 'https://example.org/', title: 'Card', description: '', thumb },
    },
  });

/** The blob an uploadBlob answered, as JSON (`$link`), ready to put in a record. */
function blobOf(answer: Answer): {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
} {
  const blob: Record<string, unknown> = Object(answer.body.blob);
  const ref: Record<string, unknown> = Object(blob.ref);
  return {
    $type: 'blob',
    ref: { $link: String(ref.$link) },
    mimeType: String(blob.mimeType),
    size: Number(blob.size),
  };
}

/** A refresh JWT's id, which the PDS keeps when a rotated token is used again. */
function jtiOf(jwt: unknown): unknown {
  const payload = String(jwt).split('.')[1] ?? '';
  return Object(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).jti;
}

const NOBODY = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa';
const SOME_CID = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a';

let jpeg: Buffer;

/** The calls both servers must answer alike: status and error name. */
const CASES: [string, (t: Target) => Promise<Answer>][] = [
  [
    'createSession with a wrong password',
    (t) =>
      xrpc(t, 'com.atproto.server.createSession', {
        json: { identifier: t.identifier, password: 'wrong-password' },
      }),
  ],
  [
    'createRecord without a token',
    (t) =>
      xrpc(t, 'com.atproto.repo.createRecord', {
        json: { repo: t.did, collection: POST, record: post() },
      }),
  ],
  [
    'createRecord with a token that is not one',
    (t) =>
      xrpc(t, 'com.atproto.repo.createRecord', {
        token: 'garbage',
        json: { repo: t.did, collection: POST, record: post() },
      }),
  ],
  [
    'refreshSession with the access token',
    (t) => xrpc(t, 'com.atproto.server.refreshSession', { method: 'POST', token: t.accessJwt }),
  ],
  [
    'getSession with the refresh token',
    (t) => xrpc(t, 'com.atproto.server.getSession', { token: t.refreshJwt }),
  ],
  [
    'createRecord as text/plain',
    (t) =>
      xrpc(t, 'com.atproto.repo.createRecord', {
        token: t.accessJwt,
        json: { repo: t.did, collection: POST, record: post() },
        contentType: 'text/plain',
      }),
  ],
  ['a post', (t) => create(t, post({ langs: ['ru'] }))],
  [
    'a post in a language that is not a BCP 47 tag (en-12)',
    (t) => create(t, post({ langs: ['en-12'] })),
  ],
  ['a post in four languages', (t) => create(t, post({ langs: ['en', 'fr', 'de', 'ru'] }))],
  ['a post of 301 graphemes', (t) => create(t, post({ text: 'é'.repeat(301) }))],
  [
    'a post of 300 graphemes in 3,000 bytes',
    (t) => create(t, post({ text: '👨‍👩‍👧‍👦'.repeat(120) })),
  ],
  ['a post of 3,025 bytes', (t) => create(t, post({ text: '👨‍👩‍👧‍👦'.repeat(121) }))],
  ['a post without text', (t) => create(t, { $type: POST, createdAt: new Date().toISOString() })],
  ['a record key that is not a TID', (t) => create(t, post(), 'not-a-tid')],
  [
    'a record key used twice',
    async (t) => {
      const rkey = TID.nextStr();
      expect((await create(t, post(), rkey)).status).toBe(200);
      return create(t, post({ text: 'again' }), rkey);
    },
  ],
  [
    'listRecords of 0',
    (t) =>
      xrpc(t, 'com.atproto.repo.listRecords', {
        params: { repo: t.did, collection: POST, limit: '0' },
      }),
  ],
  ['a post in a repo nobody has', (t) => create(t, post(), undefined, NOBODY)],
  [
    'getRecord of a key never written',
    (t) =>
      xrpc(t, 'com.atproto.repo.getRecord', {
        params: { repo: t.did, collection: POST, rkey: TID.nextStr() },
      }),
  ],
  [
    'getRecord with a cid that is not the record',
    async (t) => {
      const rkey = TID.nextStr();
      await create(t, post(), rkey);
      return xrpc(t, 'com.atproto.repo.getRecord', {
        params: { repo: t.did, collection: POST, rkey, cid: SOME_CID },
      });
    },
  ],
  [
    'getRecord by handle',
    async (t) => {
      const rkey = TID.nextStr();
      await create(t, post(), rkey);
      return xrpc(t, 'com.atproto.repo.getRecord', {
        params: { repo: t.identifier, collection: POST, rkey },
      });
    },
  ],
  [
    'deleteRecord of a key never written',
    (t) =>
      xrpc(t, 'com.atproto.repo.deleteRecord', {
        token: t.accessJwt,
        json: { repo: t.did, collection: POST, rkey: TID.nextStr() },
      }),
  ],
  [
    'resolveHandle of a known handle, in capitals',
    (t) =>
      xrpc(t, 'com.atproto.identity.resolveHandle', {
        params: { handle: t.knownHandle.toUpperCase() },
      }),
  ],
  [
    'resolveHandle of a handle nobody has',
    (t) => xrpc(t, 'com.atproto.identity.resolveHandle', { params: { handle: t.unknownHandle } }),
  ],
  [
    'resolveHandle of something that is not a handle',
    (t) => xrpc(t, 'com.atproto.identity.resolveHandle', { params: { handle: 'not a handle' } }),
  ],
  [
    'listRecords of 101',
    (t) =>
      xrpc(t, 'com.atproto.repo.listRecords', {
        params: { repo: t.did, collection: POST, limit: '101' },
      }),
  ],
  [
    'a card with its thumbnail',
    async (t) => create(t, card(blobOf(await upload(t, jpeg, 'image/jpeg')))),
  ],
  [
    'a card whose thumbnail is over 1,000,000 bytes',
    async (t) => {
      const big = Buffer.concat([jpeg, Buffer.alloc(1_000_001 - jpeg.length)]);
      return create(t, card(blobOf(await upload(t, big, 'image/jpeg'))));
    },
  ],
  [
    'a card whose thumbnail names another type than it was stored as',
    async (t) => {
      const blob = blobOf(await upload(t, jpeg, 'image/jpeg'));
      return create(t, card({ ...blob, mimeType: 'image/png' }));
    },
  ],
  [
    'a card whose thumbnail names another size',
    async (t) => {
      const blob = blobOf(await upload(t, jpeg, 'image/jpeg'));
      return create(t, card({ ...blob, size: blob.size - 1 }));
    },
  ],
  [
    'a card whose thumbnail is not an image',
    async (t) => create(t, card(blobOf(await upload(t, Buffer.from('plain words'), 'text/plain')))),
  ],
  [
    'a card whose thumbnail was never uploaded',
    (t) =>
      create(
        t,
        card({
          $type: 'blob',
          ref: { $link: 'bafkreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a' },
          mimeType: 'image/jpeg',
          size: 10,
        }),
      ),
  ],
];

describe.skipIf(!realPdsInstalled)(
  realPdsSuite('the Bluesky sandbox answers as the real PDS does'),
  () => {
    let pds: RealPds;
    let sandbox: RunningSandbox;
    const targets: Target[] = [];

    async function login(t: Omit<Target, 'accessJwt' | 'refreshJwt' | 'did'>): Promise<Target> {
      const session = await xrpc(
        { ...t, did: '', accessJwt: '', refreshJwt: '' },
        'com.atproto.server.createSession',
        {
          json: { identifier: t.identifier, password: t.password },
        },
      );
      expect(session.status).toBe(200);
      return {
        ...t,
        did: String(session.body.did),
        accessJwt: String(session.body.accessJwt),
        refreshJwt: String(session.body.refreshJwt),
      };
    }

    beforeAll(async () => {
      jpeg = await sharp({ create: { width: 120, height: 63, channels: 3, background: '#c0392b' } })
        .jpeg()
        .toBuffer();
      pds = await startRealPds();
      const account = await createRealAccount(pds, 'parity');
      const known = await createRealAccount(pds, 'known');
      sandbox = await blueskySandbox({ knownHandles: ['known.bsky.social'] })({
        posts: new SandboxPosts(),
        faults: new FaultInjector(undefined, 1),
        log: createLogger({ quiet: true }),
      });
      const { identifier, password } = Object(sandbox.credentials);
      const sandboxTarget = await login({
        name: 'sandbox',
        url: sandbox.url,
        identifier: String(identifier),
        password: String(password),
        knownHandle: 'known.bsky.social',
        knownDid: '',
        unknownHandle: 'ghost.bsky.social',
      });
      const resolved = await xrpc(sandboxTarget, 'com.atproto.identity.resolveHandle', {
        params: { handle: 'known.bsky.social' },
      });
      targets.push({ ...sandboxTarget, knownDid: String(resolved.body.did) });
      targets.push(
        await login({
          name: 'real PDS',
          url: pds.url,
          identifier: account.handle,
          password: account.appPassword,
          knownHandle: known.handle,
          knownDid: known.did,
          unknownHandle: 'ghost.test',
        }),
      );
    }, 120_000);

    afterAll(async () => {
      await sandbox?.stop();
      await pds?.stop();
    });

    it.each(CASES)('%s', async (_name, run) => {
      const answers: Answer[] = [];
      for (const target of targets) answers.push(await run(target));
      const [inSandbox, inPds] = answers.map(({ status, error }) => ({ status, error }));
      expect(inSandbox).toEqual(inPds);
    });

    it('stores an uploaded JPEG as image/jpeg whatever the Content-Type said', async () => {
      for (const target of targets) {
        const answer = await upload(target, jpeg, 'image/png');
        expect({ server: target.name, blob: blobOf(answer) }).toMatchObject({
          server: target.name,
          blob: { mimeType: 'image/jpeg', size: jpeg.length },
        });
      }
    });

    it('lets a used refresh token refresh again within its grace, to a token of the same id', async () => {
      for (const target of targets) {
        const fresh = await login(target);
        const refresh = () =>
          xrpc(target, 'com.atproto.server.refreshSession', {
            method: 'POST',
            token: fresh.refreshJwt,
          });
        const first = await refresh();
        const again = await refresh();
        expect({ server: target.name, first: first.status, again: again.status }).toEqual({
          server: target.name,
          first: 200,
          again: 200,
        });
        expect(jtiOf(again.body.refreshJwt)).toBe(jtiOf(first.body.refreshJwt));
        expect(jtiOf(first.body.refreshJwt)).not.toBe(jtiOf(fresh.refreshJwt));
        // Ending the session revokes the token, grace or not.
        const ended = await xrpc(target, 'com.atproto.server.deleteSession', {
          method: 'POST',
          token: fresh.refreshJwt,
        });
        expect(ended.status).toBe(200);
        expect(await refresh()).toMatchObject({ status: 400, error: 'ExpiredToken' });
      }
    });

    it('is stricter than the real PDS on purpose: facets outside the text, mentions of DIDs nobody has, replies to posts it does not hold', async () => {
      const [sandboxTarget, pdsTarget] = targets;
      if (!sandboxTarget || !pdsTarget) throw new Error('both servers must be up');
      const strays = (t: Target) => [
        post({
          facets: [
            {
              index: { byteStart: 2, byteEnd: 99 },
              features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/' }],
            },
          ],
        }),
        post({
          text: '@someone.test',
          facets: [
            {
              index: { byteStart: 0, byteEnd: 13 },
              features: [{ $type: 'app.bsky.richtext.facet#mention', did: NOBODY }],
            },
          ],
        }),
        post({
          reply: {
            root: { uri: `at://${t.did}/${POST}/${TID.nextStr()}`, cid: SOME_CID },
            parent: { uri: `at://${t.did}/${POST}/${TID.nextStr()}`, cid: SOME_CID },
          },
        }),
      ];
      for (const record of strays(sandboxTarget)) {
        expect(await create(sandboxTarget, record)).toMatchObject({
          status: 400,
          error: 'InvalidRequest',
          message: expect.stringContaining('(a sandbox check)'),
        });
      }
      for (const record of strays(pdsTarget)) {
        expect((await create(pdsTarget, record)).status).toBe(200);
      }
    });
  },
);
