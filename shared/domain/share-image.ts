/**
 * An editor's choice of a share's image (the article's, the drawn share card, an upload,
 * or none) and the alt text that goes with it, counted against each network's own limit.
 * Pure: the images themselves are made in shared/preview/chosen-image.ts.
 */
import * as z from 'zod';
import { ValidationError } from './errors';
import type { Platform } from './platform';

export {
  ALT_TEXT_RULES,
  type AltTextRule,
  altTextLength,
  checkImageAlt,
} from './alt-text';

/** An upload's id, as POST /api/media answers it (a UUID). */
export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const IMAGE_SOURCES = ['article', 'card', 'upload', 'none'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];

export const imageChoiceSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('article') }),
  z.strictObject({ source: z.literal('card') }),
  z.strictObject({
    source: z.literal('upload'),
    upload: z.string().regex(UPLOAD_ID, 'must be an upload id from POST /api/media'),
  }),
  z.strictObject({ source: z.literal('none') }),
]);
export type ImageChoice = z.output<typeof imageChoiceSchema>;

/** The longest alt text the API takes at all; each network's own limit is checked after. */
export const MAX_IMAGE_ALT = 5_000;

/** A choice the network can take, or a ValidationError naming `image`. */
export function checkImageChoice(platform: Platform, choice: ImageChoice): ImageChoice {
  if (platform === 'instagram' && choice.source === 'none') {
    const message = 'Instagram posts nothing without an image: choose article, card or upload';
    throw new ValidationError(`Invalid image: ${message}`, [{ field: 'image', message }]);
  }
  return choice;
}

/** The words a history entry uses for a choice. */
export function describeImageChoice(choice: ImageChoice): string {
  switch (choice.source) {
    case 'article':
      return "the article's image";
    case 'card':
      return 'the share card';
    case 'upload':
      return `upload ${choice.upload}`;
    case 'none':
      return 'no image';
  }
}
