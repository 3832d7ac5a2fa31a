/**
 * `crier share reconcile <articleId> <channelId>`: sends an `unknown` share, or one stuck
 * `publishing` past its lease, to the publish worker's reconcile path (docs/architecture.md,
 * "Posting exactly once"), and refuses any other share, saying why.
 */
import { userInfo } from 'node:os';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readPublishingConfig } from '../../shared/config/publishing';
import { systemClock } from '../../shared/domain/ports';
import { publishMessageSchema, SqsPublishQueue } from '../../shared/queue/publish-queue';
import { DynamoShareStore } from '../../shared/store/share-store';
import { requestReconcile } from '../../shared/usecases/reconcile-share';
import { readArgs } from './args';
import { CliError, type CommandIo, resolveTarget, type Target } from './target';

export const SHARE_USAGE =
  'Usage: crier share reconcile <articleId> <channelId> [--local <dir> | --stage <stage>] [--table <name>] [--queue-url <publish queue url>]';

const HELP = `${SHARE_USAGE}

Asks the publish worker to reconcile a share whose post may exist unrecorded: one that is
unknown (parked for an editor included), or publishing with its lease run out. The worker
looks for the post on the network and records it published, schedules it again with the
same keys when certainly absent, or leaves it unknown with the reason. Any other share is
refused with the reason. Where: as for crier dlq redrive (--local, --stage, or TABLE_NAME
and PUBLISH_QUEUE_URL from the environment).

Exit status: 0 sent, 1 refused or failed, 2 bad arguments.`;

const OPTIONS = {
  local: { type: 'string' },
  stage: { type: 'string' },
  table: { type: 'string' },
  'queue-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runShare(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArgs(argv, OPTIONS, io, { usage: SHARE_USAGE, help: HELP });
  if (typeof parsed === 'number') return parsed;
  const [action, articleId, channelId, ...extra] = parsed.positionals;
  const ref = publishMessageSchema.safeParse({ articleId, channelId });
  if (action !== 'reconcile' || extra.length || !ref.success) {
    const problem = ref.success
      ? ''
      : `${ref.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`;
    io.stderr.write(`${problem}${SHARE_USAGE}\n`);
    return 2;
  }
  let target: Target | undefined;
  try {
    target = resolveTarget({
      local: parsed.values.local,
      stage: parsed.values.stage,
      table: parsed.values.table,
      queueUrl: parsed.values['queue-url'],
    });
    const db = DynamoDBDocumentClient.from(target.dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const deps = {
      shares: new DynamoShareStore(db, target.tableName()),
      publishQueue: new SqsPublishQueue(target.sqs, await target.queueUrl('publish')),
      clock: systemClock,
      config: readPublishingConfig(),
    };
    const name = `${ref.data.articleId}/${ref.data.channelId}`;
    const result = await requestReconcile(deps, ref.data, `operator ${userInfo().username}`);
    switch (result.outcome) {
      case 'sent':
        io.stdout.write(
          `Sent share ${name} (${result.was}${result.was === 'publishing' ? ' past its lease, now unknown' : ''}) on ${target.description} to the publish worker to reconcile. It looks for the post on ${result.share.platform}: found, the share becomes published; certainly absent, it is scheduled again with the same keys; still unsure, it stays unknown with the reason. Its history shows which.\n`,
        );
        return 0;
      case 'refused':
        io.stderr.write(
          `Not reconciling share ${name} (${result.share.status}): ${result.reason}\n`,
        );
        return 1;
      case 'not-found':
        io.stderr.write(`No share ${name} on ${target.description}.\n`);
        return 1;
      default:
        // changed: the worker or the sweeper moved it first
        io.stderr.write(`Share ${name} changed meanwhile; run the command again.\n`);
        return 1;
    }
  } catch (error) {
    io.stderr.write(
      `crier share reconcile: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    target?.destroy();
  }
}
