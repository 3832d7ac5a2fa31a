/** Construct ids and iteration helpers shared by the stacks. */
import { QUEUES, type QueueName } from '../../shared/resources';

/** `publish-share` -> `PublishShare`, `CRIER_WEBHOOK_SECRET` -> `CrierWebhookSecret`. */
export function pascal(name: string): string {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** Every queue shared/resources.ts defines. */
export function queueNames(): QueueName[] {
  // QUEUES is a Record<QueueName, ...>, so its keys are exactly the queue names.
  return Object.keys(QUEUES) as QueueName[];
}

/** Builds one value per queue, for every queue there is. */
export function perQueue<T>(build: (name: QueueName) => T): Record<QueueName, T> {
  return Object.fromEntries(queueNames().map((name) => [name, build(name)])) as Record<
    QueueName,
    T
  >;
}
