/**
 * app.bsky.feed.getPosts, which a PDS passes on to its AppView: each post's view with the
 * counts the AppView keeps (likes, reposts, replies, quotes), here from the audience model.
 * A post that is gone is left out of the answer, as the AppView does. The read faults play
 * here (docs/networks.md, Engagement metrics).
 */
import { READ_FAULTS } from '../faults';
import { engagementAt } from '../kit/engagement';
import { playRead } from '../kit/play';
import { type Call, SLOW_MS, WRITE_POINTS_PER_HOUR } from './state';
import { ACCESS_SCOPE } from './tokens';
import { authenticate, bearer, fail, INTERNAL, invalid, send } from './xrpc';

const MAX_URIS = 25;
const AT_URI = /^at:\/\/[^/]+\/[^/]+\/[^/]+$/;

function refuse(call: Call, fault: '429' | '500' | '502' | '503') {
  switch (fault) {
    case '429': {
      const now = Date.now();
      const until = Math.ceil((now + call.state.sandbox.faults.resetSeconds * 1000) / 1000) * 1000;
      return fail(
        call.res,
        { status: 429, error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
        {
          'RateLimit-Limit': WRITE_POINTS_PER_HOUR,
          'RateLimit-Remaining': 0,
          'RateLimit-Reset': Math.floor(until / 1000),
          'Retry-After': Math.ceil((until - now) / 1000),
        },
      );
    }
    case '502':
      return fail(call.res, { status: 502, error: 'UpstreamFailure', message: 'Upstream Failure' });
    case '503': {
      const message = 'Not Enough Resources';
      return fail(call.res, { status: 503, error: 'NotEnoughResources', message });
    }
    default:
      return fail(call.res, INTERNAL);
  }
}

export async function getPosts(call: Call): Promise<void> {
  if (bearer(call) && !authenticate(call, ACCESS_SCOPE)) return;
  const { state } = call;
  const uris = call.params.getAll('uris');
  if (uris.length === 0)
    return fail(call.res, invalid('Error: Params must have the property "uris"'));
  if (uris.length > MAX_URIS) {
    return fail(call.res, invalid(`Error: uris must not have more than ${MAX_URIS} elements`));
  }
  const bad = uris.findIndex((uri) => !AT_URI.test(uri));
  if (bad >= 0) return fail(call.res, invalid(`Error: uris/${bad} must be a valid at-uri`));
  const fault = state.sandbox.faults.pick('bluesky', READ_FAULTS);
  if (fault) state.log.info('sandbox.fault', { nsid: 'app.bsky.feed.getPosts', fault });
  const played = await playRead({
    fault,
    res: call.res,
    delay: () => state.delay(SLOW_MS),
    refuse: (refusal) => refuse(call, refusal),
  });
  if (!played.go) return;
  const now = Date.now();
  const posts = uris.flatMap((uri) => {
    const record = state.findRecord(uri);
    const counts = engagementAt(state.sandbox.posts, 'bluesky', uri, now);
    if (!record || record === 'elsewhere' || !counts) return [];
    const owner = state.byIdentifier(uri.slice('at://'.length).split('/')[0] ?? '');
    if (!owner) return [];
    const indexedAt = typeof record.value.createdAt === 'string' ? record.value.createdAt : '';
    return [
      {
        uri: record.uri,
        cid: record.cid,
        author: { did: owner.did, handle: owner.handle, labels: [], createdAt: indexedAt },
        record: record.value,
        replyCount: counts.replies,
        repostCount: counts.reposts,
        likeCount: counts.likes,
        quoteCount: counts.quotes,
        indexedAt,
        viewer: { threadMuted: false, embeddingDisabled: false },
        labels: [],
      },
    ];
  });
  send(call.res, 200, { posts });
}
