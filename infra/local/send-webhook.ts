/**
 * Signs an article as the CMS would (Standard Webhooks) and posts it to the local
 * stack: `npm run send-sample`, or `npm run send-sample -- path/to/article.json`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signStandardWebhook } from '../../shared/ingest/standard-webhooks';
import { readStoredSecrets } from './secrets';

const SAMPLE = fileURLToPath(new URL('./sample/article.json', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    id: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run send-sample -- [article.json] [--url http://localhost:3000] [--id <webhook-id>]

Signs the article (default: the bundled sample) with CRIER_WEBHOOK_SECRET, or the secret
the local stack keeps in $CRIER_DATA_DIR/secrets.json, and posts it to /webhooks/generic.
A new webhook-id is used each time unless --id is given.`);
  process.exit(0);
}

const file = positionals[0] ?? SAMPLE;
const base = values.url ?? `http://localhost:${process.env.PORT ?? 3000}`;
const dataDir = process.env.CRIER_DATA_DIR ?? '.crier';
const secret = process.env.CRIER_WEBHOOK_SECRET ?? readStoredSecrets(dataDir)?.CRIER_WEBHOOK_SECRET;
if (!secret) {
  console.error(
    `No webhook secret: set CRIER_WEBHOOK_SECRET, or start the stack once (npm start) so it keeps one in ${dataDir}/secrets.json.`,
  );
  process.exit(1);
}

const body = readFileSync(file);
const deliveryId = values.id ?? `msg_${randomUUID()}`;
const timestamp = Math.floor(Date.now() / 1000);
try {
  const response = await fetch(new URL('/webhooks/generic', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, deliveryId, timestamp, body),
    },
    body,
  });
  console.log(`${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(
    `Could not reach ${base}: ${error instanceof Error ? error.message : String(error)}. Is npm start running?`,
  );
  process.exit(1);
}
