import { readFileSync } from 'node:fs';
import { parseGenericArticle } from './shared/domain/article';
import { channelSchema, siteSchema } from './shared/domain/channel';
import { composeMastodon } from './shared/platforms/mastodon/composer';
import { DEFAULT_CHANNELS } from './tests/support/channels';

const payload = JSON.parse(readFileSync('/tmp/sec/ce.json', 'utf8'));
const a = parseGenericArticle(payload);
const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const g = (t: string) => [...seg.segment(t)].length;
const TEMPLATES = [
  '{url} {title}',
  '{title} — {site}\n\n{summary}\n\n{authors} {handles}\n{section} {imageCredit}\n{url}\n\n{hashtags}',
  '{hashtags} {title}: {summary} {url}',
];
const chans = [
  ...DEFAULT_CHANNELS.filter((c) => c.platform === 'mastodon'),
  ...TEMPLATES.map((template, i) =>
    channelSchema.parse({
      id: `m-${i}`,
      platform: 'mastodon',
      account: 'n',
      template,
      hashtags: { max: 5, always: ['Breaking'] },
      utm: { source: '{platform}', medium: 'social', campaign: 'crier-{section}' },
      maxCharacters: 500,
    }),
  ),
];
for (const c of chans) {
  const p = composeMastodon(a, c, { site: siteSchema.parse({ name: 'Left Voice' }), authors: {} });
  const counted = p.text.replace(/https?:\/\/\S+/g, 'x'.repeat(23));
  console.log(c.id, 'composer', p.length, 'checker', g(counted), JSON.stringify(p.text));
}
