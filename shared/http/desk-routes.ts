/**
 * The editor API's route for posts of the desk's own (POST /api/posts), as data, beside
 * the article routes of editor-routes.ts.
 */
import * as z from 'zod';
import { channelIdSchema, type EditorRoute, errorSchema, refused, siteIdSchema } from './route-kit';

/** The most channels one desk post goes to. */
export const MAX_DESK_CHANNELS = 20;

export const deskPostSchema = z
  .strictObject({
    siteId: siteIdSchema.optional().meta({
      description:
        'The site the post is for; absent: the default site, if the caller may post there',
    }),
    text: z.string().min(1).max(20_000).meta({
      description:
        "The post's text, written once for every channel: NFC-normalized and trimmed, counted by each network's own counter with the link where that network takes it, and never cut (over a channel's limit is a 400)",
    }),
    channels: z
      .array(channelIdSchema)
      .min(1)
      .max(MAX_DESK_CHANNELS)
      .meta({
        description: `The site's channels to post on, 1-${MAX_DESK_CHANNELS}, each named once, active or paused`,
      }),
    link: z
      .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
      .max(2048)
      .optional()
      .meta({
        description:
          'A link to share: its page card is fetched and checked as an article’s; in the text on X, Bluesky, Mastodon, Threads and Telegram, the link attachment on LinkedIn and Facebook, left out on Instagram; with the channel’s UTM parameters',
      }),
    imageUrl: z
      .url({ protocol: /^https$/, message: 'must be an https URL' })
      .max(2048)
      .optional()
      .meta({
        description:
          'An image to attach, fetched and processed per network as an article’s image; one that cannot be fetched or used is a 400. Instagram needs one.',
      }),
    imageAlt: z.string().trim().min(1).max(5000).optional().meta({
      description: "The image's alt text, checked against each network's alt-text limit",
    }),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8-128 letters, digits, - or _')
      .optional()
      .meta({
        description:
          'Makes the request safe to send again: the same `idempotencyKey` on the same site names the same post, so a request sent again after its answer was lost answers the same `articleId` and completes any share the first attempt did not write, instead of posting twice. The editor UI sends a new one for each post. Sent again with another text, link or image: 409',
      }),
    dueAt: z.iso.datetime({ offset: true }).optional().meta({
      description:
        "When to post: an ISO 8601 instant with its offset, not more than a minute in the past; absent: each channel's schedule places it as it places an article's share",
    }),
  })
  .refine((post) => post.imageAlt === undefined || post.imageUrl !== undefined, {
    path: ['imageAlt'],
    message: 'describes an image: give imageUrl too',
  });

export const deskPostAnswerSchema = z.object({
  articleId: z.string().meta({
    description:
      'The post’s id (`desk-…`): it reads as an article, with one share per channel, at GET /api/articles/{articleId}',
  }),
});

export const DESK_COMPONENTS = {
  DeskPost: deskPostSchema,
  DeskPostAnswer: deskPostAnswerSchema,
} as const;

export const DESK_ROUTES = [
  {
    routeKey: 'POST /api/posts',
    operationId: 'createDeskPost',
    summary: 'Post something of the desk’s own on chosen channels',
    description:
      'A post that is not an article’s (a live update, a promotion): kept as an article of source `desk` with no URL of its own, one share per channel, each fitted to its network. The shares go through the same approval (a channel that needs it gets a draft), calendar, ledger and publishing as an article’s. The CMS is never told of a desk post. Everything is checked before anything is written: a refused request writes nothing; the post and its shares are stored before the 201.',
    body: deskPostSchema,
    bodyRequired: true,
    responses: {
      201: { description: 'The post and its shares are stored', schema: deskPostAnswerSchema },
      400: {
        description:
          "A bad body, naming the fields: a channel that is not the site's (or archived, or named twice), a text over a channel's limit (`channels.<i>`, with the network's count and limit), an alt text over a network's limit, an image that cannot be used, a dueAt in the past, a site the caller may not post to",
        schema: errorSchema,
      },
      ...refused,
      413: { description: 'A body over 512 KiB', schema: errorSchema },
    },
  },
] as const satisfies readonly EditorRoute[];
