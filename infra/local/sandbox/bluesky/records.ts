/**
 * The repo routes: createRecord (with the fault knobs), getRecord, listRecords,
 * deleteRecord and uploadBlob, with the PDS's answers.
 */
import { POST_FAULTS } from '../faults';
import { mediaType } from '../kit/http';
import { playCreate, type Refusal } from '../kit/play';
import type { StoredRecord } from './repo';
import { type Account, type Call, SLOW_MS } from './state';
import { ACCESS_SCOPE } from './tokens';
import {
  authenticate,
  bearer,
  commitMeta,
  fail,
  field,
  INTERNAL,
  invalid,
  jsonBody,
  ownRepo,
  rateLimited,
  recordView,
  send,
  text,
} from './xrpc';

function refuse(call: Call, a: Account, fault: Refusal) {
  const { faults } = call.state.sandbox;
  switch (fault) {
    case '429': {
      const now = Date.now();
      // On a whole second, so that RateLimit-Reset (Unix seconds) names the instant itself.
      a.rateLimitedUntil = Math.ceil((now + faults.resetSeconds * 1000) / 1000) * 1000;
      return rateLimited(call.res, a, now);
    }
    case '502':
      return fail(call.res, { status: 502, error: 'UpstreamFailure', message: 'Upstream Failure' });
    case '503': {
      const message = 'Not Enough Resources';
      return fail(call.res, { status: 503, error: 'NotEnoughResources', message });
    }
    case 'auth': {
      // As when the app password is revoked: its sessions die and it no longer logs
      // in. The sandbox takes it back after the reset time, as an operator would
      // paste a new one.
      a.refreshIds.clear();
      a.rotated.clear();
      a.passwordRefusedUntil = Date.now() + faults.resetSeconds * 1000;
      const message = 'Token has been revoked';
      return fail(call.res, { status: 401, error: 'AuthenticationRequired', message });
    }
    case 'expired-token':
      return fail(call.res, { status: 400, error: 'ExpiredToken', message: 'Token has expired' });
    case 'permission':
      // An app password without the scope the method needs, in the PDS's own words.
      return fail(call.res, { status: 400, error: 'InvalidToken', message: 'Bad token scope' });
    default:
      return fail(call.res, INTERNAL);
  }
}

/** Validates and commits the record; undefined when it answered the failure. */
function commitRecord(call: Call, a: Account): StoredRecord | undefined {
  const { state } = call;
  const parsed = jsonBody(call, 'com.atproto.repo.createRecord');
  if (!parsed.ok) return void fail(call.res, parsed.failure);
  const { body } = parsed;
  if (!ownRepo(call, a, text(body, 'repo'))) return undefined;
  const validate = field(body, 'validate');
  const created = a.repo.create({
    collection: text(body, 'collection') ?? '',
    rkey: text(body, 'rkey'),
    record: field(body, 'record'),
    validate: typeof validate === 'boolean' ? validate : undefined,
    lookup: state.findRecord,
    handleOf: state.handleOf,
  });
  if (!created.ok) {
    const { status, error, message } = created.failure;
    state.log.info('sandbox.refused', {
      nsid: 'com.atproto.repo.createRecord',
      status,
      error,
      message,
    });
    return void fail(call.res, created.failure);
  }
  const { record, post } = created;
  if (post) {
    state.sandbox.posts.add({
      platform: 'bluesky',
      remoteId: record.uri,
      inReplyToId: post.inReplyTo,
      text: post.text,
      account: a.handle,
      url: `https://bsky.app/profile/${a.handle}/post/${record.rkey}`,
      ...(post.card ? { card: post.card } : {}),
      ...(post.media ? { media: post.media } : {}),
    });
    state.log.info('sandbox.posted', { remoteId: record.uri });
  }
  return record;
}

export async function createRecord(call: Call): Promise<void> {
  const auth = authenticate(call, ACCESS_SCOPE);
  if (!auth) return;
  const a = auth.account;
  if (a.rateLimitedUntil > Date.now()) return rateLimited(call.res, a, Date.now());
  const fault = call.state.sandbox.faults.pick('bluesky', POST_FAULTS);
  if (fault) call.state.log.info('sandbox.fault', { nsid: 'com.atproto.repo.createRecord', fault });
  await playCreate<StoredRecord, void>({
    fault,
    res: call.res,
    delay: () => call.state.delay(SLOW_MS),
    refuse: (refusal) => refuse(call, a, refusal),
    commit: () => {
      const record = commitRecord(call, a);
      return record ? { committed: record } : { answer: undefined };
    },
    answer: (record) =>
      send(
        call.res,
        200,
        { uri: record.uri, cid: record.cid, commit: commitMeta(record), validationStatus: 'valid' },
        call.state.writeHeaders(a, Date.now(), 3),
      ),
    failAfterCommit: () => fail(call.res, INTERNAL),
  });
}

export function getRecord(call: Call) {
  // No auth needed; a token that is sent is still checked, as the PDS does.
  if (bearer(call) && !authenticate(call, ACCESS_SCOPE)) return;
  const { params } = call;
  const repo = params.get('repo');
  const collection = params.get('collection');
  const rkey = params.get('rkey');
  if (!repo || !collection || !rkey) {
    const missing = !repo ? 'repo' : !collection ? 'collection' : 'rkey';
    return fail(call.res, invalid(`Params must have the property "${missing}"`));
  }
  const target = call.state.byIdentifier(repo);
  if (!target) return fail(call.res, invalid(`Could not find repo: ${repo}`));
  const record = target.repo.get(collection, rkey);
  const cid = params.get('cid');
  if (!record || (cid && cid !== record.cid)) {
    const message = `Could not locate record: at://${target.did}/${collection}/${rkey}`;
    return fail(call.res, { status: 400, error: 'RecordNotFound', message });
  }
  send(call.res, 200, recordView(record));
}

export function listRecords(call: Call) {
  if (bearer(call) && !authenticate(call, ACCESS_SCOPE)) return;
  const { params } = call;
  const repo = params.get('repo');
  const collection = params.get('collection');
  if (!repo || !collection) {
    const missing = !repo ? 'repo' : 'collection';
    return fail(call.res, invalid(`Params must have the property "${missing}"`));
  }
  const limit = Number(params.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    // The PDS answers a limit out of range with a plain 500, not a 400.
    return fail(call.res, INTERNAL);
  }
  const target = call.state.byIdentifier(repo);
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
}

export function deleteRecord(call: Call) {
  const auth = authenticate(call, ACCESS_SCOPE);
  if (!auth) return;
  const parsed = jsonBody(call, 'com.atproto.repo.deleteRecord');
  if (!parsed.ok) return fail(call.res, parsed.failure);
  const { body } = parsed;
  const a = auth.account;
  if (!ownRepo(call, a, text(body, 'repo'))) return;
  const deleted = a.repo.delete(text(body, 'collection') ?? '', text(body, 'rkey') ?? '');
  const headers = call.state.writeHeaders(a, Date.now(), 1);
  // Deleting a record that is not there succeeds too, and changes nothing.
  if (!deleted) return send(call.res, 200, {}, headers);
  call.state.sandbox.posts.remove('bluesky', deleted.uri);
  call.state.log.info('sandbox.deleted', { remoteId: deleted.uri });
  send(call.res, 200, { commit: commitMeta(deleted) }, headers);
}

/** The image types the PDS recognises by their first bytes (it sniffs with file-type). */
function sniffedType(bytes: Buffer): string | undefined {
  const starts = (...sig: number[]) => sig.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (/^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

/**
 * Stores the bytes as a blob. Its type is what the bytes are where the PDS can tell (a
 * JPEG sent as `image/png` is stored as `image/jpeg`), else the request's Content-Type.
 */
export function uploadBlob(call: Call) {
  const auth = authenticate(call, ACCESS_SCOPE);
  if (!auth) return;
  const mimeType = sniffedType(call.body) ?? (mediaType(call.req) || 'application/octet-stream');
  const blob = auth.account.repo.addBlob(call.body, mimeType);
  send(call.res, 200, {
    blob: { $type: 'blob', ref: { $link: blob.cid }, mimeType, size: blob.size },
  });
}
