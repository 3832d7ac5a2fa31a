/**
 * In-memory adapters of every port in shared/domain/ports.ts, and one set of them wired
 * together as a test's world: the stores share one table's worth of shares (the slot
 * store's and the channel timeline's indexes read them), the queues record what is sent.
 */
import type { CredentialsProvider } from '../../../shared/domain/ports';
import { InMemoryChannelDirectory } from './channel-directory';
import { ManualClock } from './clock';
import { RecordingComposeQueue, RecordingPublishQueue, RecordingSyndicationQueue } from './queues';
import {
  InMemoryArticleStore,
  InMemoryChannelStateStore,
  InMemoryChannelTimeline,
  InMemoryComposeMarkers,
  InMemoryDeliveryGuard,
  InMemoryShareStore,
  InMemorySlotStore,
} from './stores';

export { InMemoryAccessStore } from './access';
export { InMemoryChannelDirectory, InMemoryDirectoryRecords } from './channel-directory';
export { ManualClock } from './clock';
export { type ClientMethod, outcome, type RecordedCall, ScriptedClient } from './network';
export {
  RecordingComposeQueue,
  RecordingPublishQueue,
  RecordingSyndicationQueue,
  type SentPublishMessage,
} from './queues';
export {
  InMemoryArticleStore,
  InMemoryChannelStateStore,
  InMemoryChannelTimeline,
  InMemoryComposeMarkers,
  InMemoryDeliveryGuard,
  InMemoryRefreshLeases,
  InMemoryShareStore,
  InMemorySlotStore,
  type ReplaceInterceptor,
  stored,
  type WriteRecord,
} from './stores';

/** Credentials by channel id; a channel mapped to an Error throws it (a store that is down). */
export class StaticCredentials implements CredentialsProvider {
  constructor(private readonly byChannel: Record<string, unknown> = {}) {}

  async get({ id }: { id: string }): Promise<unknown> {
    const value = this.byChannel[id];
    if (value instanceof Error) throw value;
    return value;
  }

  set(channelId: string, value: unknown): void {
    this.byChannel[channelId] = value;
  }
}

export type InMemoryWorld = ReturnType<typeof inMemoryWorld>;

export function inMemoryWorld(start?: string | Date) {
  const clock = new ManualClock(start);
  const shares = new InMemoryShareStore();
  return {
    clock,
    shares,
    articles: new InMemoryArticleStore(),
    slots: new InMemorySlotStore(shares),
    timeline: new InMemoryChannelTimeline(shares),
    channelState: new InMemoryChannelStateStore(),
    deliveries: new InMemoryDeliveryGuard(clock),
    directory: new InMemoryChannelDirectory(clock),
    publishQueue: new RecordingPublishQueue(),
    composeQueue: new RecordingComposeQueue(),
    markers: new InMemoryComposeMarkers(),
    syndication: new RecordingSyndicationQueue(),
  };
}
