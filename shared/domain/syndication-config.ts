/** The channels config's `syndication` block, apart from the webhook code so browsers can load the config schema. */
import * as z from 'zod';
import { CMS_SOURCES } from './article';

const webhookUrl = z.url({ protocol: /^https?$/, message: 'must be an http or https URL' });

/** `syndication` in the channels config: where the CMS listens, in all or per source. */
export const syndicationConfigSchema = z
  .object({
    /** the CMS's endpoint for every article */
    url: webhookUrl.optional(),
    /** an endpoint per article source (`ghost`, `wordpress`, `generic`, `feed`), before `url` */
    sources: z.partialRecord(z.enum(CMS_SOURCES), webhookUrl).default({}),
    /** how long the CMS has to answer */
    timeoutSeconds: z.number().int().min(1).max(20).default(10),
  })
  .refine((config) => config.url !== undefined || Object.keys(config.sources).length > 0, {
    message: 'needs a url, or one per source in sources',
  });

export type SyndicationConfig = z.output<typeof syndicationConfigSchema>;
