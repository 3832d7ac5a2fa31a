/**
 * POST /api/media: an editor's image, checked (shared/preview/upload.ts) and kept in the
 * media bucket under its site, for shares to choose (PATCH ... `image: { source: 'upload' }`).
 * A refused image writes nothing.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { DEFAULT_SITE_ID } from '../domain/article';
import { ValidationError } from '../domain/errors';
import type { UploadStore } from '../store/upload-store';

export const uploadViewSchema = z.object({
  /** what a share's `image.upload` names */
  id: z.string(),
  siteId: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  contentType: z.string(),
  bytes: z.number().int(),
});
export const uploadAnswerSchema = z.object({ upload: uploadViewSchema });
export type UploadView = z.output<typeof uploadViewSchema>;

export type UploadDeps = {
  uploads: UploadStore;
  newId?: () => string;
};

/** Who uploads: their sites ('all' for an admin). */
export type Uploader = { sites: 'all' | readonly string[] };

/**
 * The site the upload is kept under: the one asked for (which must be the editor's), or
 * the editor's only site, or for an admin the default site.
 */
export function uploadSite(uploader: Uploader, asked: string | undefined): string {
  const refuse = (message: string) =>
    new ValidationError(`Invalid siteId: ${message}`, [{ field: 'siteId', message }]);
  if (asked) {
    if (uploader.sites !== 'all' && !uploader.sites.includes(asked)) {
      throw refuse(`is not one of your sites (${uploader.sites.join(', ')})`);
    }
    return asked;
  }
  if (uploader.sites === 'all') return DEFAULT_SITE_ID;
  const [only, ...more] = uploader.sites;
  if (!only || more.length > 0) throw refuse('name the site: you edit more than one');
  return only;
}

export async function uploadMedia(
  deps: UploadDeps,
  input: { bytes: Uint8Array; contentType: string | undefined; siteId: string },
): Promise<UploadView> {
  // The image stack is loaded only by the route that needs it.
  const { checkUpload } = await import('../preview/upload');
  const checked = await checkUpload(input.bytes, input.contentType);
  const id = (deps.newId ?? randomUUID)();
  await deps.uploads.putUpload(input.siteId, id, input.bytes, checked.contentType);
  return { id, siteId: input.siteId, ...checked };
}
