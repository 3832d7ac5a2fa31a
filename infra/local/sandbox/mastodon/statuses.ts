/**
 * Statuses: PostStatusService (Idempotency-Key, validation, commit) with the fault knobs,
 * UpdateStatusService and delete.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { POST_FAULTS } from '../faults';
import { badGatewayPage } from '../kit/http';
import { playCreate, type Refusal } from '../kit/play';
import { html, json, type Reply } from '../kit/reply';
import type { SandboxPost } from '../posts';
import { bool, type Params, parseParams, str, strings } from './http';
import {
  notFound,
  SERVER_ERROR_PAGE,
  serializeStatus,
  statusUrl,
  tooManyRequests,
  unauthorized,
  unparsable,
  unprocessable,
} from './serialize';
import {
  type Account,
  MAX_MEDIA_ATTACHMENTS,
  type MastodonState,
  type Media,
  type Owned,
  PLATFORM,
  type Status,
  VISIBILITIES,
} from './state';
import { countableLength, firstLink, htmlToText, isBlank, statusHtml } from './text';

/** One request, as the Mastodon routes see it. */
export type Exchange = {
  state: MastodonState;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  /** the token's account; null when no token was sent */
  viewer: Account | null;
  delay: (ms: number) => Promise<boolean>;
};

function validateMedia(a: Account, ids: string[]): { media: Media[] } | { error: Reply } {
  if (ids.length > MAX_MEDIA_ATTACHMENTS) {
    return { error: unprocessable('Cannot attach more than 4 files') };
  }
  const media = ids.flatMap((id) => {
    const m = a.media.get(id);
    return m && !m.statusId ? [m] : [];
  });
  const missing = ids.filter((id) => !media.some((m) => m.id === id));
  if (missing.length > 0) {
    // The wording is unconfirmed; Mastodon 4.3+ refuses unknown or attached media with a 422.
    return {
      error: unprocessable(
        `Media ${missing.join(', ')} not found or already attached to another post`,
      ),
    };
  }
  if (media.some((m) => Date.now() < m.readyAt)) {
    return {
      error: unprocessable(
        'Cannot attach files that have not finished processing. Try again in a moment!',
      ),
    };
  }
  if (media.some((m) => m.type !== 'image') && media.length > 1) {
    return { error: unprocessable('Cannot attach a video to a post that already contains images') };
  }
  return { media };
}

/** The text checks a create and an edit share; undefined when the text may be posted. */
function checkText(state: MastodonState, text: string, spoilerText: string, media: number) {
  if (isBlank(text) && media === 0) return unprocessable("Validation failed: Text can't be blank");
  if (countableLength(text, spoilerText, state.reservedPerUrl) > state.maxCharacters) {
    return unprocessable(
      `Validation failed: Text character limit of ${state.maxCharacters} exceeded`,
    );
  }
  return undefined;
}

/** What a create or an edit sets from the text: the HTML and the crawled card. */
function rendered(state: MastodonState, text: string) {
  const link = firstLink(text);
  return {
    content: statusHtml(text, {
      base: state.base,
      localDomain: state.localDomain,
      localUsernames: [state.username],
    }),
    // Nothing is fetched: the card names the link's host where a crawl would find a title.
    card: link ? { url: link, title: URL.canParse(link) ? new URL(link).hostname : link } : null,
  };
}

/** What GET /sandbox/posts shows of a status: the text a reader sees, card and media. */
function recorded(status: Status, media: Media[]) {
  const reader = htmlToText(status.content);
  return {
    text: status.spoilerText ? `${status.spoilerText}\n\n${reader}` : reader,
    card: status.card ? { url: status.card.url, title: status.card.title } : undefined,
    media: media.length
      ? media.map((m) => ({
          mimeType: m.mimeType,
          bytes: m.bytes,
          ...(m.description ? { alt: m.description } : {}),
        }))
      : undefined,
  };
}

/** PostStatusService: the idempotency check first, then validation, then the commit. */
function postStatus(state: MastodonState, a: Account, params: Params, key: string | undefined) {
  const now = Date.now();
  state.expireIdempotency(a, now);
  const original = key ? a.idempotency.get(key) : undefined;
  if (original) {
    const status = a.statuses.get(original.statusId);
    // `@account.statuses.find`: a key whose status was deleted within the hour is a 404.
    if (!status) return notFound();
    state.log.info('sandbox.idempotent-repeat', { platform: PLATFORM, remoteId: status.id });
    return json(200, serializeStatus(state, a, status, { withCard: true }), state.rateHeaders(a));
  }

  let text = str(params.status) ?? '';
  let spoilerText = str(params.spoiler_text) ?? '';
  // A content warning with no text becomes the text (PostStatusService).
  if (isBlank(text) && !isBlank(spoilerText)) [text, spoilerText] = [spoilerText, ''];
  const visibility = str(params.visibility) || 'public';
  const inReplyTo = str(params.in_reply_to_id);
  const checked = validateMedia(a, strings(params.media_ids));
  if ('error' in checked) return checked.error;

  let thread: Owned | undefined;
  if (inReplyTo) {
    thread = state.findStatus(inReplyTo);
    if (!thread || !state.visibleTo(a, thread.owner, thread.status)) {
      return json(404, { error: 'The post you are trying to reply to does not appear to exist.' });
    }
  }
  // The message of an unknown visibility is unconfirmed; the 422 is what matters.
  if (!VISIBILITIES.includes(visibility)) {
    return unprocessable('Validation failed: Visibility is not included in the list');
  }
  const refused = checkText(state, text, spoilerText, checked.media.length);
  if (refused) return refused;

  const language = str(params.language) ?? '';
  const status: Status = {
    id: state.nextId(),
    createdAt: new Date(now).toISOString(),
    text,
    spoilerText,
    sensitive: bool(params.sensitive) || spoilerText !== '',
    visibility,
    // valid_locale_cascade: the requested language, else the default locale.
    language: /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(language) ? language : 'en',
    inReplyToId: thread?.status.id ?? null,
    inReplyToAccountId: thread?.owner.id ?? null,
    mediaIds: checked.media.map((m) => m.id),
    ...rendered(state, text),
  };
  a.statuses.set(status.id, status);
  for (const m of checked.media) m.statusId = status.id;
  if (key) a.idempotency.set(key, { statusId: status.id, expiresAt: now + state.idempotencyMs });

  const { card, media, text: shown } = recorded(status, checked.media);
  const post: Omit<SandboxPost, 'receivedAt'> = {
    platform: PLATFORM,
    remoteId: status.id,
    inReplyToId: status.inReplyToId,
    text: shown,
    account: state.handle,
    url: statusUrl(state, a, status),
  };
  if (card) post.card = card;
  if (media) post.media = media;
  state.sandbox.posts.add({ ...post, receivedAt: status.createdAt });
  state.log.info('sandbox.post', { platform: PLATFORM, remoteId: status.id });
  return json(200, serializeStatus(state, a, status, { withCard: false }), state.rateHeaders(a));
}

/**
 * UpdateStatusService: the new text, the same limits as a create, and the media the
 * edit names (the status's own; the rest are dropped); a changed link is crawled again.
 */
export function editStatus(state: MastodonState, a: Account, status: Status, params: Params) {
  const text = str(params.status) ?? '';
  const spoilerText = str(params.spoiler_text) ?? '';
  const mediaIds = strings(params.media_ids);
  const foreign = mediaIds.filter((id) => !status.mediaIds.includes(id));
  if (foreign.length > 0) {
    return unprocessable(
      `Media ${foreign.join(', ')} not found or already attached to another post`,
    );
  }
  const refused = checkText(state, text, spoilerText, mediaIds.length);
  if (refused) return refused;
  for (const id of status.mediaIds) if (!mediaIds.includes(id)) a.media.delete(id);
  Object.assign(status, {
    text,
    spoilerText,
    mediaIds,
    editedAt: new Date().toISOString(),
    ...rendered(state, text),
  });
  const kept = mediaIds.flatMap((id) => {
    const m = a.media.get(id);
    return m ? [m] : [];
  });
  state.sandbox.posts.edit(PLATFORM, status.id, recorded(status, kept));
  state.log.info('sandbox.edited', { platform: PLATFORM, remoteId: status.id });
  return json(200, serializeStatus(state, a, status, { withCard: true }), state.rateHeaders(a));
}

export function refuse(state: MastodonState, fault: Refusal): Reply {
  const { account } = state;
  switch (fault) {
    case '429':
      account.rateLimitedUntil = Date.now() + state.sandbox.faults.resetSeconds * 1000;
      return tooManyRequests(account.rateLimitedUntil);
    case '502':
      return html(502, badGatewayPage('nginx'));
    case '503':
      return json(503, {
        error: 'There was a temporary problem serving your request, please try again',
      });
    case 'auth':
    case 'expired-token':
      return unauthorized();
    case 'permission':
      return json(403, { error: 'This action is not allowed' });
    default:
      return html(500, SERVER_ERROR_PAGE);
  }
}

/** `POST /api/v1/statuses`, with the fault picked for it played around the create. */
export async function createStatus(ex: Exchange): Promise<Reply | undefined> {
  const { state, req } = ex;
  // Rack::Attack answers before the application sees the request, token or not.
  const { rateLimitedUntil } = state.account;
  if (Date.now() < rateLimitedUntil) return tooManyRequests(rateLimitedUntil);
  const fault = state.sandbox.faults.pick(PLATFORM, POST_FAULTS);
  if (fault) {
    state.log.info('sandbox.fault', { platform: PLATFORM, fault, route: 'POST /api/v1/statuses' });
  }
  return playCreate<Reply, Reply>({
    fault,
    res: ex.res,
    // Puma keeps working on a request whose client has gone, so a slow one commits too.
    delay: () => ex.delay(state.slowMs),
    refuse: (refusal) => refuse(state, refusal),
    commit: async () => {
      const viewer = state.tokenAccount(req);
      if (!viewer) return { committed: unauthorized() };
      const params = await parseParams(req, ex.body);
      const key = str(req.headers['idempotency-key']);
      return { committed: params ? postStatus(state, viewer, params, key) : unparsable() };
    },
    answer: (reply) => reply,
    failAfterCommit: () => html(500, SERVER_ERROR_PAGE),
  });
}

export function deleteStatus(state: MastodonState, viewer: Account, found: Owned): Reply {
  viewer.statuses.delete(found.status.id);
  for (const id of found.status.mediaIds) viewer.media.delete(id);
  state.sandbox.posts.remove(PLATFORM, found.status.id);
  state.log.info('sandbox.deleted', { platform: PLATFORM, remoteId: found.status.id });
  return json(
    200,
    {
      ...serializeStatus(state, viewer, found.status, { withCard: true }),
      text: found.status.text,
    },
    state.rateHeaders(viewer),
  );
}
