/**
 * `crier dlq redrive <queue>`: moves the messages of a queue's dead-letter queue back to
 * it, with SQS's message move task where the service has one (AWS), and otherwise (the
 * local emulator) by receiving, sending and deleting them, printing the counts. Safe to
 * run at any time: a message names an article or a share, and its consumer checks the
 * table before doing anything (docs/operating.md, "Redriving").
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { QUEUES, type QueueName } from '../../shared/resources';
import { readArgs } from './args';
import {
  CliError,
  type CommandIo as Io,
  queueUrlOfArn,
  resolveTarget,
  type Target,
} from './target';

export const DLQ_USAGE = `Usage: crier dlq redrive <${Object.keys(QUEUES).join('|')}> [--local <dir> | --stage <stage>] [--queue-url <url>] [--dlq-url <url>]`;

const HELP = `${DLQ_USAGE}

Moves every message of the queue's dead-letter queue back to the queue, once its cause is
fixed. Where: --local <dir> the local stack keeping its data there (default: CRIER_DATA_DIR
or .crier); --stage <stage> (or CRIER_STAGE) a deployed stage, with the AWS credentials and
region of the environment; otherwise the queue URL the environment names
(${Object.values(QUEUES)
  .map((q) => q.urlEnv)
  .join(', ')}). The DLQ is the one the queue's redrive policy names, unless --dlq-url says.

Exit status: 0 done (or nothing to move), 1 failed, 2 bad arguments.`;

const OPTIONS = {
  local: { type: 'string' },
  stage: { type: 'string' },
  'queue-url': { type: 'string' },
  'dlq-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const redrivePolicySchema = z.object({ deadLetterTargetArn: z.string() });

export async function runDlq(argv: string[], io: Io): Promise<number> {
  const parsed = readArgs(argv, OPTIONS, io, { usage: DLQ_USAGE, help: HELP });
  if (typeof parsed === 'number') return parsed;
  const [action, queue, ...extra] = parsed.positionals;
  if (action !== 'redrive' || !isQueueName(queue) || extra.length) {
    io.stderr.write(`${DLQ_USAGE}\n`);
    return 2;
  }
  let target: Target | undefined;
  try {
    target = resolveTarget({
      local: parsed.values.local,
      stage: parsed.values.stage,
      queueUrl: parsed.values['queue-url'],
    });
    return await redrive(target, queue, parsed.values['dlq-url'], io);
  } catch (error) {
    io.stderr.write(
      `crier dlq redrive: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    target?.destroy();
  }
}

const isQueueName = (value: string | undefined): value is QueueName =>
  value !== undefined && Object.hasOwn(QUEUES, value);

async function attributes(
  sqs: SQSClient,
  url: string,
  names: ('QueueArn' | 'RedrivePolicy' | 'ApproximateNumberOfMessages')[],
) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
  );
  return Attributes;
}

async function redrive(
  target: Target,
  queue: QueueName,
  dlqUrlOption: string | undefined,
  io: Io,
): Promise<number> {
  const { sqs } = target;
  const queueUrl = await target.queueUrl(queue);
  const queueAttributes = await attributes(sqs, queueUrl, ['QueueArn', 'RedrivePolicy']);
  const queueArn = queueAttributes.QueueArn;
  if (!queueArn) throw new CliError(`${queueUrl} has no ARN`);
  let dlqUrl = dlqUrlOption ?? target.dlqUrl(queue);
  if (!dlqUrl) {
    const policy = redrivePolicySchema.safeParse(JSON.parse(queueAttributes.RedrivePolicy ?? '{}'));
    if (!policy.success) throw new CliError(`${queueUrl} has no dead-letter queue`);
    dlqUrl = await queueUrlOfArn(sqs, policy.data.deadLetterTargetArn);
  }
  const dlq = await attributes(sqs, dlqUrl, ['QueueArn', 'ApproximateNumberOfMessages']);
  const waiting = Number(dlq.ApproximateNumberOfMessages ?? 0);
  io.stdout.write(`${target.description}: the ${queue} DLQ holds ${waiting} message(s)\n`);
  if (waiting === 0) {
    io.stdout.write('Nothing to redrive.\n');
    return 0;
  }
  const dlqArn = dlq.QueueArn;
  if (!dlqArn) throw new CliError(`${dlqUrl} has no ARN`);
  try {
    return await moveTask(sqs, dlqArn, queueArn, queue, io);
  } catch (error) {
    // The local emulator has no message move task; SQS itself answers it everywhere.
    const unsupported =
      error instanceof Error && ['InvalidAction', 'UnsupportedOperation'].includes(error.name);
    if (!unsupported) throw error;
  }
  return moveByHand(sqs, dlqUrl, queueUrl, queue, io);
}

/** SQS's own redrive: one task, polled until it ends. */
async function moveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  queue: QueueName,
  io: Io,
): Promise<number> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
  );
  io.stdout.write(`Started a message move task (${TaskHandle ?? 'no handle'})\n`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    const task = Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    if (task?.Status === 'RUNNING') {
      io.stdout.write(`  moved ${moved} of ${task.ApproximateNumberOfMessagesToMove ?? '?'}\n`);
      continue;
    }
    if (task?.Status === 'COMPLETED') {
      io.stdout.write(`Moved ${moved} message(s) back to the ${queue} queue.\n`);
      return 0;
    }
    io.stderr.write(
      `The move task ${task?.Status ?? 'vanished'} after ${moved} message(s): ${task?.FailureReason ?? 'no reason given'}\n`,
    );
    return 1;
  }
}

/** Receive, send, delete, ten at a time, until the DLQ answers empty. */
async function moveByHand(
  sqs: SQSClient,
  dlqUrl: string,
  queueUrl: string,
  queue: QueueName,
  io: Io,
): Promise<number> {
  let moved = 0;
  let failed = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        // Long enough to send and delete the batch; a failure shows the message again.
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const entries = Messages.map((message, i) => ({ id: String(i), message }));
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.map(({ id, message }) => ({
          Id: id,
          MessageBody: message.Body ?? '',
          MessageAttributes: message.MessageAttributes,
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((entry) => entry.Id));
    failed += entries.length - ok.size;
    const done = entries.filter(({ id }) => ok.has(id));
    if (done.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: done.map(({ id, message }) => ({
            Id: id,
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    moved += done.length;
    // What failed to send stays in the DLQ (visible again in a minute): stop, do not spin.
    if (done.length < entries.length) break;
  }
  io.stdout.write(
    `Moved ${moved} message(s) back to the ${queue} queue (received, sent and deleted one batch at a time: no message move task here)${failed ? `; ${failed} could not be sent and stay in the DLQ` : ''}.\n`,
  );
  return failed ? 1 : 0;
}
