/**
 * The instance's status limits as publish reads them through masto (`GET /api/v2/instance`,
 * cached per instance), and the text's length as that instance counts it: Crier refuses a
 * status the instance would refuse, and says why.
 */
import type { mastodon } from 'masto';
import twitterText from 'twitter-text';
import * as z from 'zod';
import { graphemeLength } from '../../domain/text';
import { MASTODON_URL_LENGTH, mastodonCountableText } from './rules';

const INSTANCE_TTL_MS = 10 * 60_000;
/** an instance that did not answer is not asked again for this long */
const INSTANCE_RETRY_MS = 60_000;
/** The limits are optional: their read never takes more than this of a publish's time. */
const INSTANCE_BUDGET_MS = 3_000;

const instanceSchema = z.object({
  configuration: z.object({
    statuses: z.object({
      maxCharacters: z.number().int().positive(),
      charactersReservedPerUrl: z.number().int().nonnegative().default(MASTODON_URL_LENGTH),
    }),
  }),
});

export type MastodonInstanceLimits = { maxCharacters: number; charactersReservedPerUrl: number };

const instances = new Map<
  string,
  { limits: MastodonInstanceLimits; fetchedAt: number } | { failedAt: number }
>();

/**
 * The instance's status limits from `GET /api/v2/instance`, cached per instance URL;
 * `undefined` when the instance does not say (a failure is remembered for a minute, so
 * a hanging route cannot eat every publish's time).
 */
export async function mastodonInstanceLimits(
  client: mastodon.rest.Client,
  instanceUrl: string,
  signal: AbortSignal,
): Promise<MastodonInstanceLimits | undefined> {
  const cached = instances.get(instanceUrl);
  const now = Date.now();
  if (cached && 'limits' in cached && now - cached.fetchedAt < INSTANCE_TTL_MS) {
    return cached.limits;
  }
  if (cached && 'failedAt' in cached && now - cached.failedAt < INSTANCE_RETRY_MS) return undefined;
  try {
    const budget = AbortSignal.any([signal, AbortSignal.timeout(INSTANCE_BUDGET_MS)]);
    const instance = instanceSchema.parse(
      await client.v2.instance.fetch(undefined, { requestInit: { signal: budget } }),
    );
    const limits = instance.configuration.statuses;
    instances.set(instanceUrl, { limits, fetchedAt: Date.now() });
    return limits;
  } catch {
    instances.set(instanceUrl, { failedAt: Date.now() });
    return undefined;
  }
}

/** The share's text as the instance counts it: graphemes, each URL as the instance reserves. */
export function countedLength(text: string, limits: MastodonInstanceLimits): number {
  const urls = twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false });
  const extra = urls.length * (limits.charactersReservedPerUrl - MASTODON_URL_LENGTH);
  return graphemeLength(mastodonCountableText(text)) + extra;
}
