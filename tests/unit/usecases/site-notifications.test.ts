/**
 * A site's e-mail addresses, set by an admin: Crier subscribes the new ones to the topic,
 * unsubscribes the ones left out, shows each address as pending until it confirms, and
 * writes nothing when SNS or the input refuses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Editor } from '../../../shared/domain/editor';
import { ValidationError } from '../../../shared/domain/errors';
import { notificationTargetsInputSchema } from '../../../shared/domain/notification';
import {
  type SiteNotificationsDeps,
  setSiteNotifications,
} from '../../../shared/usecases/site-notifications';
import { createSite } from '../../../shared/usecases/sites';
import {
  InMemoryAccessStore,
  InMemoryChannelDirectory,
  InMemoryChannelTimeline,
  InMemoryShareStore,
  ManualClock,
} from '../../support/in-memory/index';
import {
  InMemoryEmailSubscriptions,
  InMemoryNotificationStore,
  RecordingNotificationSender,
} from '../../support/in-memory/notifications';

const admin: Editor = { by: 'lena', role: 'admin', sites: 'all' };
let directory: InMemoryChannelDirectory;
let store: InMemoryNotificationStore;
let topic: InMemoryEmailSubscriptions;
let deps: SiteNotificationsDeps;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  directory = new InMemoryChannelDirectory(clock);
  const shares = new InMemoryShareStore();
  await createSite(
    {
      directory,
      access: new InMemoryAccessStore(),
      timeline: new InMemoryChannelTimeline(shares),
      shares,
      clock,
    },
    { id: 'north', name: 'The North Desk' },
    admin,
  );
  store = new InMemoryNotificationStore();
  topic = new InMemoryEmailSubscriptions();
  deps = {
    directory,
    notifications: store,
    sender: new RecordingNotificationSender(),
    clock,
    subscriptions: topic,
  };
});

const setAddresses = (emailAddresses: string[]) =>
  setSiteNotifications(deps, 'north', { emailAddresses }, admin);

describe('setting e-mail addresses', () => {
  it('subscribes each address for the site, pending until it confirms, and turns e-mail on', async () => {
    const { notifications } = await setAddresses(['desk@north.example', 'night@north.example']);
    expect(topic.calls).toEqual([
      'subscribe north desk@north.example',
      'subscribe north night@north.example',
    ]);
    expect(notifications.email).toBe(true);
    expect(notifications.emailAddresses).toEqual([
      { address: 'desk@north.example', state: 'pending' },
      { address: 'night@north.example', state: 'pending' },
    ]);
    topic.confirm('desk@north.example');
    topic.leave('night@north.example');
    const again = await setSiteNotifications(deps, 'north', {}, admin);
    expect(again.notifications.emailAddresses).toEqual([
      { address: 'desk@north.example', state: 'confirmed' },
      { address: 'night@north.example', state: 'unsubscribed' },
    ]);
  });

  it('unsubscribes the addresses left out, keeps the others untouched, and none turns e-mail off', async () => {
    await setAddresses(['desk@north.example', 'night@north.example']);
    const [deskArn, nightArn] = [...topic.subscriptions.keys()];
    topic.calls = [];
    const kept = await setAddresses(['Desk@North.example', 'web@north.example']);
    expect(topic.calls).toEqual([`subscribe north web@north.example`, `unsubscribe ${nightArn}`]);
    // The address kept is the one stored (an address differing only in case is the same).
    expect(kept.notifications.emailAddresses.map((a) => a.address)).toEqual([
      'desk@north.example',
      'web@north.example',
    ]);
    expect((await store.settings('north'))?.emailSubscriptions?.[0]?.subscriptionArn).toBe(deskArn);
    const none = await setAddresses([]);
    expect(none.notifications).toMatchObject({ email: false, emailAddresses: [] });
    expect(topic.subscriptions.size).toBe(0);
  });

  it('subscribes an address again when it is kept on the list after it left', async () => {
    await setAddresses(['desk@north.example', 'night@north.example']);
    topic.confirm('desk@north.example');
    topic.leave('night@north.example');
    topic.calls = [];
    const again = await setAddresses(['desk@north.example', 'night@north.example']);
    expect(topic.calls).toEqual(['subscribe north night@north.example']);
    expect(again.notifications.emailAddresses).toEqual([
      { address: 'desk@north.example', state: 'confirmed' },
      { address: 'night@north.example', state: 'pending' },
    ]);
  });

  it('stores nothing when SNS refuses a subscription, and a retry mends it', async () => {
    topic.failNextSubscribe = true;
    await expect(setAddresses(['desk@north.example'])).rejects.toThrow('SNS refused');
    expect(await store.settings('north')).toBeUndefined();
    const retried = await setAddresses(['desk@north.example']);
    expect(retried.notifications.emailAddresses).toHaveLength(1);
    expect(topic.subscriptions.size).toBe(1);
  });

  it('refuses addresses where the deployment has no e-mail topic, naming the field', async () => {
    const { subscriptions: _none, ...withoutTopic } = deps;
    const attempt = setSiteNotifications(
      withoutTopic,
      'north',
      { emailAddresses: ['desk@north.example'] },
      admin,
    );
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ field: 'emailAddresses' }] });
    expect(await store.settings('north')).toBeUndefined();
  });

  it('audits the addresses, never a subscription ARN', async () => {
    clock.advanceSeconds(1);
    await setAddresses(['desk@north.example']);
    const { entries } = await directory.listAudit({ limit: 10 });
    const changed = entries.find((e) => e.action === 'site.notifications-changed');
    expect(changed?.after).toMatchObject({ emailAddresses: ['desk@north.example'] });
    expect(JSON.stringify(changed)).not.toContain('arn:aws:sns');
  });

  it('refuses an address twice (in any case), a bad address, or more than twenty', () => {
    const fails = (emailAddresses: string[]) =>
      notificationTargetsInputSchema.safeParse({ emailAddresses }).success === false;
    expect(fails(['desk@north.example', 'DESK@north.example'])).toBe(true);
    expect(fails(['not an address'])).toBe(true);
    expect(fails(Array.from({ length: 21 }, (_, i) => `desk${i}@north.example`))).toBe(true);
    expect(fails(['desk@north.example'])).toBe(false);
  });
});
