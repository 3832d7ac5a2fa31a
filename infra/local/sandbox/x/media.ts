/** X's v2 media upload: initialize, append, finalize, status, and alt text. */
import { isRecord } from '../kit/http';
import type { Upload } from './account';
import {
  type Exchange,
  type InvalidParameter,
  parseJson,
  sendInvalidRequest,
  sendJson,
} from './http';

/** X's media limits (docs/networks.md, X, "Limits"); which types beyond these it takes is unconfirmed. */
const MEDIA_CATEGORIES: Record<
  string,
  { types: readonly string[]; maxBytes: number; key: number }
> = {
  tweet_image: {
    types: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
    maxBytes: 5 * 1024 * 1024,
    key: 3,
  },
  tweet_gif: { types: ['image/gif'], maxBytes: 15 * 1024 * 1024, key: 16 },
  tweet_video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 512 * 1024 * 1024, key: 7 },
  amplify_video: {
    types: ['video/mp4', 'video/quicktime'],
    maxBytes: 512 * 1024 * 1024,
    key: 13,
  },
};

const MEDIA_EXPIRES_SECONDS = 86_400;

function uploadData(upload: Upload) {
  return { id: upload.id, media_key: upload.mediaKey };
}

export function initializeUpload(ex: Exchange) {
  const parsed = parseJson(ex);
  if (!parsed.ok) return;
  const body = parsed.value;
  const mediaType = isRecord(body) ? body.media_type : undefined;
  const totalBytes = isRecord(body) ? body.total_bytes : undefined;
  const requested = isRecord(body) ? body.media_category : undefined;
  const errors: InvalidParameter[] = [];
  if (typeof mediaType !== 'string') errors.push({ message: '$.media_type: is missing' });
  if (typeof totalBytes !== 'number' || !Number.isInteger(totalBytes) || totalBytes < 1) {
    errors.push({ message: '$.total_bytes: must be a positive integer' });
  }
  const categoryName =
    typeof requested === 'string'
      ? requested
      : typeof mediaType === 'string' && mediaType.startsWith('video/')
        ? 'tweet_video'
        : 'tweet_image';
  const category = MEDIA_CATEGORIES[categoryName];
  if (!category) {
    errors.push({ message: `$.media_category: [${categoryName}] is not supported` });
  } else if (typeof mediaType === 'string' && !category.types.includes(mediaType)) {
    errors.push({ message: `$.media_type: [${mediaType}] is not supported for ${categoryName}` });
  } else if (typeof totalBytes === 'number' && totalBytes > category.maxBytes) {
    errors.push({ message: `File size exceeds ${category.maxBytes} bytes.` });
  }
  if (errors.length || !category || typeof mediaType !== 'string') {
    return sendInvalidRequest(ex.res, errors);
  }
  const id = ex.ids.next();
  const upload: Upload = {
    id,
    mediaKey: `${category.key}_${id}`,
    mediaType,
    category: categoryName,
    totalBytes: Number(totalBytes),
    segments: new Map(),
    finalized: false,
    createdAt: Date.now(),
  };
  ex.account.uploads.set(id, upload);
  sendJson(ex.res, 200, {
    data: { ...uploadData(upload), expires_after_secs: MEDIA_EXPIRES_SECONDS },
  });
}

function findUpload(ex: Exchange, id: string): Upload | undefined {
  const upload = ex.account.uploads.get(id);
  if (!upload) {
    sendInvalidRequest(ex.res, [
      { parameters: { id: [id] }, message: `Media id [${id}] is not a pending upload` },
    ]);
  }
  return upload;
}

export function appendUpload(ex: Exchange, id: string, parts: { name: string; data: Buffer }[]) {
  const upload = findUpload(ex, id);
  if (!upload) return;
  if (upload.finalized) {
    return sendInvalidRequest(ex.res, [{ message: 'Media is already finalized' }]);
  }
  const index = Number(parts.find((p) => p.name === 'segment_index')?.data.toString('utf8'));
  const media = parts.find((p) => p.name === 'media');
  const encoded = parts.find((p) => p.name === 'media_data');
  const bytes = media
    ? media.data.length
    : encoded
      ? Buffer.from(encoded.data.toString('utf8'), 'base64').length
      : -1;
  if (!Number.isInteger(index) || index < 0 || index > 999 || bytes < 1) {
    return sendInvalidRequest(ex.res, [
      { message: 'segment_index (0-999) and media (or media_data) are required' },
    ]);
  }
  upload.segments.set(index, bytes);
  // X answers 2xx here; twitter-api-v2 ignores the body (its shape is unconfirmed).
  sendJson(ex.res, 200, {
    data: { expires_at: Math.floor(upload.createdAt / 1000) + MEDIA_EXPIRES_SECONDS },
  });
}

export function finalizeUpload(ex: Exchange, id: string) {
  const upload = findUpload(ex, id);
  if (!upload) return;
  const received = [...upload.segments.values()].reduce((sum, n) => sum + n, 0);
  if (received !== upload.totalBytes) {
    return sendInvalidRequest(ex.res, [
      { message: 'Segments do not add up to provided total file size.' },
    ]);
  }
  upload.finalized = true;
  const video = upload.category.endsWith('video');
  sendJson(ex.res, 200, {
    data: {
      ...uploadData(upload),
      size: upload.totalBytes,
      expires_after_secs: MEDIA_EXPIRES_SECONDS,
      ...(video ? { processing_info: { state: 'pending', check_after_secs: 1 } } : {}),
    },
  });
}

export function uploadStatus(ex: Exchange) {
  const query = ex.url.searchParams;
  const id = query.get('media_id') ?? '';
  if (query.get('command') !== 'STATUS') {
    return sendInvalidRequest(ex.res, [{ message: 'command must be STATUS' }]);
  }
  const upload = findUpload(ex, id);
  if (!upload) return;
  sendJson(ex.res, 200, {
    data: {
      ...uploadData(upload),
      processing_info: upload.finalized
        ? { state: 'succeeded', progress_percent: 100 }
        : { state: 'pending', check_after_secs: 1 },
    },
  });
}

export function setMediaMetadata(ex: Exchange) {
  const parsed = parseJson(ex);
  if (!parsed.ok) return;
  const body = parsed.value;
  const id = isRecord(body) && typeof body.id === 'string' ? body.id : '';
  const metadata = isRecord(body) && isRecord(body.metadata) ? body.metadata : undefined;
  const alt = metadata && isRecord(metadata.alt_text) ? metadata.alt_text.text : undefined;
  if (typeof alt !== 'string' || [...alt].length > 1000) {
    return sendInvalidRequest(ex.res, [
      { message: '$.metadata.alt_text.text: a string of at most 1000 characters is required' },
    ]);
  }
  const upload = findUpload(ex, id);
  if (!upload) return;
  upload.alt = alt;
  sendJson(ex.res, 200, {
    data: { id: upload.id, associated_metadata: { alt_text: { text: alt } } },
  });
}
