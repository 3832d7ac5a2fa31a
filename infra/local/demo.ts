/**
 * `npm run demo`: the whole pipeline once, beside anything else running. A stack in
 * this process with a temporary data folder and free ports, the sample article through
 * the signed webhook, and each network's post printed once every share is final.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFinal, type ShareStatus } from '../../shared/domain/share-state';
import { signStandardWebhook } from '../../shared/ingest/standard-webhooks';
import { type LocalStack, startLocalStack } from './stack';

const SAMPLE = fileURLToPath(
  new URL('../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
);
const TIMEOUT_MS = 60_000;

type ShareView = {
  channelId: string;
  platform: string;
  status: ShareStatus;
  text: string;
  remoteUrl: string | null;
  lastError: string | null;
};

async function send(stack: LocalStack): Promise<string> {
  const body = readFileSync(SAMPLE);
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(new URL('/webhooks/generic', stack.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(
        stack.secrets.webhookSecret.value,
        id,
        timestamp,
        body,
      ),
    },
    body,
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`the webhook answered ${response.status} ${text}`);
  const parsed: unknown = JSON.parse(text);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('articleId' in parsed) ||
    typeof parsed.articleId !== 'string'
  ) {
    throw new Error(`unexpected webhook answer ${text}`);
  }
  return parsed.articleId;
}

async function waitUntilFinal(stack: LocalStack, articleId: string): Promise<ShareView[]> {
  const deadline = Date.now() + TIMEOUT_MS;
  let shares: ShareView[] = [];
  while (Date.now() < deadline) {
    const response = await fetch(new URL(`/api/articles/${articleId}`, stack.url), {
      headers: { authorization: `Bearer ${stack.secrets.editorToken.value}` },
    });
    if (response.ok) {
      shares = ((await response.json()) as { shares: ShareView[] }).shares;
      if (shares.length > 0 && shares.every((s) => isFinal(s.status))) return shares;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pending = shares.map(
    (s) => `${s.channelId}: ${s.status}${s.lastError ? ` (${s.lastError})` : ''}`,
  );
  throw new Error(
    `not every share was final after ${TIMEOUT_MS / 1000} s: ${pending.join('; ') || 'no shares'}`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'crier-demo-'));
let stack: LocalStack | undefined;
let code = 0;
try {
  stack = await startLocalStack({ port: 0, dataDir, tickSeconds: 2, quiet: true });
  console.log(`Crier demo: a stack on ${stack.url}, data in ${dataDir}`);
  const articleId = await send(stack);
  console.log(`Sent the sample article: ${articleId}`);
  const shares = await waitUntilFinal(stack, articleId);
  for (const share of shares) {
    console.log(`\n== ${share.platform} (${share.channelId}): ${share.status}`);
    console.log(share.text);
    console.log(share.remoteUrl ? `-> ${share.remoteUrl}` : `!! ${share.lastError ?? 'no URL'}`);
  }
  const failed = shares.filter((s) => s.status !== 'published');
  if (failed.length) {
    code = 1;
    console.error(
      `\n${failed.length} share(s) not published: ${failed.map((s) => s.channelId).join(', ')}`,
    );
  } else {
    console.log(`\nAll ${shares.length} shares published.`);
  }
} catch (error) {
  code = 1;
  console.error(`Crier demo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
