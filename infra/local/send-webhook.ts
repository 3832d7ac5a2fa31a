/**
 * Signs a payload as the CMS would and posts it to the local stack: `npm run send-sample`
 * (the generic article, Standard Webhooks), `-- --wordpress` (a WordPress REST post, signed
 * the same way) or `-- --ghost` (a Ghost post.published payload, X-Ghost-Signature);
 * `--site <id>` posts to that site's endpoint of the kind, signed with the key in the
 * environment. A 429, a 5xx or no answer is sent again after a backoff (the same webhook-id,
 * signed afresh), as a CMS should (`--attempts`). `--correction "<note>"` sends the generic
 * article's next revision with that correction note, as a CMS does once a story is fixed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signGhostWebhook } from '../../shared/ingest/ghost';
import { signStandardWebhook } from '../../shared/ingest/standard-webhooks';
import { readStoredSecrets } from './secrets';
import { DeliveryError, sendWebhook, WEBHOOK_RETRY } from './webhook-sender';

const sample = (name: string) =>
  fileURLToPath(new URL(`../../tests/fixtures/webhooks/${name}`, import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    id: { type: 'string' },
    ghost: { type: 'boolean' },
    wordpress: { type: 'boolean' },
    site: { type: 'string' },
    attempts: { type: 'string' },
    correction: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run send-sample -- [payload.json] [--ghost | --wordpress] [--site <id>] [--url http://localhost:3000] [--id <webhook-id>] [--attempts <n>] [--correction <note>]

Signs the payload (default: the bundled sample article) and posts it to the local stack:
  (default)     /webhooks/generic, signed with CRIER_WEBHOOK_SECRET (Standard Webhooks)
  --wordpress   /webhooks/wordpress, a WordPress REST post object, signed the same way
  --ghost       /webhooks/ghost, a Ghost post payload, X-Ghost-Signature with CRIER_GHOST_SECRET
  --site <id>   that site's endpoint (/webhooks/<kind>/<id>), signed with the site's key of
                the kind, given in CRIER_WEBHOOK_SECRET or CRIER_GHOST_SECRET
  --correction  the generic article's next revision (its revision plus one), carrying
                the note as its \`correction\`: each channel's post is edited, replied
                under, or the editors told, as the channel's policy says
Each secret comes from the environment, or from $CRIER_DATA_DIR/secrets.json, where the
local stack keeps it (the default site's only). A new webhook-id is used each time unless
--id is given. A 429, 408 or 5xx answer, or none, is sent again with the same webhook-id
after an exponential backoff with jitter, never before the answer's Retry-After:
${WEBHOOK_RETRY.attempts} attempts in all unless --attempts says otherwise.`);
  process.exit(0);
}

if (values.ghost && values.wordpress) {
  console.error('Choose one of --ghost and --wordpress.');
  process.exit(1);
}

const kind = values.ghost ? 'ghost' : values.wordpress ? 'wordpress' : 'generic';
if (values.correction !== undefined && kind !== 'generic') {
  console.error(
    '--correction sends the generic article: WordPress and Ghost mark a correction their own way (docs/api.md).',
  );
  process.exit(1);
}
if (values.correction !== undefined && values.correction.trim() === '') {
  console.error('--correction needs the note, for example --correction "The vote was 54-46."');
  process.exit(1);
}
const SAMPLES = {
  generic: 'generic-article.json',
  wordpress: 'wordpress-post.json',
  ghost: 'ghost-post-published.json',
};
const secretName = kind === 'ghost' ? 'CRIER_GHOST_SECRET' : 'CRIER_WEBHOOK_SECRET';

const file = positionals[0] ?? sample(SAMPLES[kind]);
const base = values.url ?? `http://localhost:${process.env.PORT ?? 3000}`;
const dataDir = process.env.CRIER_DATA_DIR ?? '.crier';
// Another site's keys are in the table, shown once when made: only the environment has them.
const stored =
  values.site === undefined || values.site === 'default'
    ? readStoredSecrets(dataDir)?.[secretName]
    : undefined;
const secret = process.env[secretName] ?? stored;
if (values.site !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.site)) {
  console.error(`--site ${values.site}: a site id is lowercase letters, digits and dashes.`);
  process.exit(1);
}
if (!secret && values.site !== undefined && values.site !== 'default') {
  console.error(
    `No ${secretName}: set it to the site's ${kind} key (POST /api/sites answered it).`,
  );
  process.exit(1);
}
if (!secret) {
  console.error(
    `No ${secretName}: set it, or start the stack once (npm start) so it keeps one in ${dataDir}/secrets.json.`,
  );
  process.exit(1);
}

const attempts = Number(values.attempts ?? WEBHOOK_RETRY.attempts);
if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) {
  console.error(`--attempts ${values.attempts}: a whole number from 1 to 20.`);
  process.exit(1);
}

/** The payload's next revision, carrying the correction note. */
function corrected(raw: Buffer, note: string): Buffer {
  const article = JSON.parse(raw.toString('utf8')) as { revision?: unknown };
  const revision = typeof article.revision === 'number' ? article.revision : 1;
  return Buffer.from(JSON.stringify({ ...article, revision: revision + 1, correction: note }));
}

const body =
  values.correction === undefined
    ? readFileSync(file)
    : corrected(readFileSync(file), values.correction);
// One delivery, however many attempts: a retry is recognised by its webhook-id.
const deliveryId = values.id ?? `msg_${randomUUID()}`;
const headers = (): Record<string, string> => {
  if (kind === 'ghost') {
    return { 'x-ghost-signature': signGhostWebhook(secret, body, Date.now()) };
  }
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, deliveryId, timestamp, body),
  };
};

try {
  const path = values.site === undefined ? `/webhooks/${kind}` : `/webhooks/${kind}/${values.site}`;
  const delivery = await sendWebhook({
    url: new URL(path, base),
    body,
    sign: headers,
    policy: { attempts },
    onRetry: ({ attempt, status, waitMs }) =>
      console.error(
        `${status ?? 'no answer'}: sending again in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`,
      ),
  });
  console.log(`${delivery.status} ${delivery.body}`);
  process.exit(delivery.status >= 200 && delivery.status < 300 ? 0 : 1);
} catch (error) {
  const reason =
    error instanceof DeliveryError && error.cause instanceof Error ? error.cause : error;
  console.error(
    `Could not reach ${base}: ${reason instanceof Error ? reason.message : String(reason)}. Is npm start running?`,
  );
  process.exit(1);
}
