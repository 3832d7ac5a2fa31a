import { createComposer } from '../compose/composer';
import { mastodonRules } from './rules';

/** An article as a Mastodon status, fitted to the channel's instance limit. */
export const composeMastodon = createComposer(mastodonRules);
