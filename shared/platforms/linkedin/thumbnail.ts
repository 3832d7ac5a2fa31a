/**
 * A card's thumbnail on LinkedIn: the bytes the options give, uploaded with the Images API
 * (`initializeUpload`, then a PUT to LinkedIn's own host), whose image URN the post names.
 */
import * as z from 'zod';
import type { PublishOutcome } from '../client';
import { exchange } from '../rest/http';
import type { LinkCard } from '../types';
import { type Api, rest } from './api';
import { beforeCreate } from './errors';

/** An image for the card's thumbnail (JPG, PNG or GIF), uploaded with the Images API. */
export type LinkedInThumbnail = { bytes: Uint8Array; mimeType: string };

export type LinkedInClientOptions = {
  /**
   * Where a card's thumbnail comes from. LinkedIn does not fetch the article page
   * (docs/networks.md, Findings 7), and nothing here fetches `card.imageUrl` (these machines
   * are offline; previews come from shared/preview): when this returns bytes, the client
   * uploads them (`initializeUpload`, then PUT) and the image URN becomes
   * `content.article.thumbnail`; otherwise the card goes out without one.
   */
  thumbnail?: (card: LinkCard, signal: AbortSignal) => Promise<LinkedInThumbnail | undefined>;
};

const IMAGE_URN = /^urn:li:image:[A-Za-z0-9_-]+$/;

const uploadSchema = z.object({
  value: z.object({ uploadUrl: z.url(), image: z.string().regex(IMAGE_URN) }),
});

type Uploaded = { ok: true; image?: string } | { ok: false; outcome: PublishOutcome };

/** The upload URL gets the token only if it is LinkedIn's own (or the sandbox's) host. */
function trustedUploadUrl(api: Api, value: string): URL | undefined {
  const target = new URL(value);
  if (api.credentials.apiBase) {
    return target.origin === api.credentials.apiBase ? target : undefined;
  }
  const linkedin = target.hostname === 'linkedin.com' || target.hostname.endsWith('.linkedin.com');
  return target.protocol === 'https:' && linkedin ? target : undefined;
}

export async function uploadThumbnail(
  api: Api,
  card: LinkCard,
  options: LinkedInClientOptions,
): Promise<Uploaded> {
  if (!options.thumbnail) return { ok: true };
  let image: LinkedInThumbnail | undefined;
  try {
    image = await options.thumbnail(card, api.deadline);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    return {
      ok: false,
      outcome: { kind: 'retry', message: `The card thumbnail could not be made (${name})` },
    };
  }
  if (!image) return { ok: true };

  const started = await rest(api, '/rest/images', {
    method: 'POST',
    restli: 'ACTION',
    query: { action: 'initializeUpload' },
    json: { initializeUploadRequest: { owner: api.credentials.author } },
  });
  if (!started.ok || started.answer.status !== 200) {
    return { ok: false, outcome: beforeCreate(api, 'the image upload', started) };
  }
  const upload = uploadSchema.safeParse(started.answer.body);
  const target = upload.success ? trustedUploadUrl(api, upload.data.value.uploadUrl) : undefined;
  if (!upload.success || !target) {
    return {
      ok: false,
      outcome: {
        kind: 'retry',
        message: 'LinkedIn answered initializeUpload without a usable upload URL and image URN',
      },
    };
  }
  const put = await exchange(target, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${api.credentials.accessToken}`,
      'Content-Type': image.mimeType,
    },
    body: image.bytes,
    signal: api.deadline,
  });
  if (!put.ok || put.answer.status < 200 || put.answer.status > 299) {
    return { ok: false, outcome: beforeCreate(api, 'the image upload', put) };
  }
  return { ok: true, image: upload.data.value.image };
}
