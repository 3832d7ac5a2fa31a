/**
 * An admin sets a site's notification targets and sends them a test. The Slack URL and
 * the webhook's signing key are secrets: kept in the table's notification item, answered
 * as set or unset only (the webhook's key once, in the answer that made it), and audited
 * the same way.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelDirectory } from '../domain/channel-directory';
import { NotFoundError, ValidationError } from '../domain/errors';
import {
  buildDigest,
  type EmailSubscriptions,
  emailStateOf,
  type ListedSubscription,
  type NotificationSender,
  type NotificationSettings,
  type NotificationStore,
  type NotificationTargetsInput,
  type NotificationTargetsView,
  slackBody,
  type TargetName,
  targetsOf,
  viewOfSettings,
  webhookBody,
} from '../domain/notification';
import type { Clock } from '../domain/ports';
import type { Editor } from '../http/editor-auth';

export type SiteNotificationsDeps = {
  directory: Pick<ChannelDirectory, 'getSite' | 'recordAudit'>;
  notifications: NotificationStore;
  sender: NotificationSender;
  clock: Clock;
  /** the deployment's e-mail topic; unset (no topic), no address can be set */
  subscriptions?: EmailSubscriptions;
};

/** The topic's subscriptions when some site has addresses (one list for every site). */
export async function listedSubscriptions(
  deps: Pick<SiteNotificationsDeps, 'subscriptions'>,
  settings: readonly (NotificationSettings | undefined)[],
): Promise<ListedSubscription[] | undefined> {
  if (!deps.subscriptions) return undefined;
  if (!settings.some((s) => (s?.emailSubscriptions?.length ?? 0) > 0)) return [];
  return deps.subscriptions.list();
}

/**
 * Subscribes the addresses new to the list and unsubscribes the ones left out. Every
 * call is made before anything is stored: a failure stores nothing, and subscribing an
 * address again answers its existing subscription, so the admin's retry mends it.
 */
async function syncSubscriptions(
  deps: SiteNotificationsDeps,
  siteId: string,
  current: NonNullable<NotificationSettings['emailSubscriptions']>,
  wanted: readonly string[],
): Promise<NonNullable<NotificationSettings['emailSubscriptions']>> {
  const subscriptions = deps.subscriptions;
  if (!subscriptions) {
    if (wanted.length === 0) return [];
    throw new ValidationError('This deployment has no e-mail topic', [
      { field: 'emailAddresses', message: 'no e-mail topic in this deployment' },
    ]);
  }
  const key = (address: string) => address.toLowerCase();
  const kept = new Map(current.map((s) => [key(s.address), s]));
  // An address kept on the list that left (or never confirmed in time) is subscribed
  // again: listing it once more is how an admin sends it a new confirmation.
  const listed = current.length > 0 ? await subscriptions.list() : [];
  const next: NonNullable<NotificationSettings['emailSubscriptions']> = [];
  for (const address of wanted) {
    const existing = kept.get(key(address));
    next.push(
      existing && emailStateOf(existing, listed) !== 'unsubscribed'
        ? existing
        : {
            address: existing?.address ?? address,
            subscriptionArn: await subscriptions.subscribe(siteId, existing?.address ?? address),
          },
    );
  }
  const wantedKeys = new Set(wanted.map(key));
  for (const gone of current.filter((s) => !wantedKeys.has(key(s.address)))) {
    await subscriptions.unsubscribe(gone.subscriptionArn);
  }
  return next;
}

/** A new signing key for the site's webhook, in the Standard Webhooks form. */
export const newNotificationKey = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export async function setSiteNotifications(
  deps: SiteNotificationsDeps,
  siteId: string,
  input: NotificationTargetsInput,
  editor: Editor,
): Promise<{ notifications: NotificationTargetsView; webhookSecret?: string }> {
  const site = await deps.directory.getSite(siteId);
  if (!site) throw new NotFoundError(`No site ${siteId}`);
  const before = await deps.notifications.settings(siteId);
  const next: NotificationSettings = { ...(before ?? { email: false }) };
  if (input.slackWebhookUrl === null) delete next.slackWebhookUrl;
  else if (input.slackWebhookUrl !== undefined) next.slackWebhookUrl = input.slackWebhookUrl;
  if (input.email !== undefined) next.email = input.email;
  if (input.approvalReminderMinutes !== undefined) {
    next.approvalReminderMinutes = input.approvalReminderMinutes;
  }
  if (input.emailAddresses !== undefined) {
    const subscribed = await syncSubscriptions(
      deps,
      siteId,
      next.emailSubscriptions ?? [],
      input.emailAddresses,
    );
    if (subscribed.length > 0) next.emailSubscriptions = subscribed;
    else delete next.emailSubscriptions;
    // Addresses turn e-mail on, none turns it off, unless `email` itself says otherwise.
    if (input.email === undefined) next.email = subscribed.length > 0;
  }
  let webhookSecret: string | undefined;
  if (input.webhook === null) delete next.webhook;
  else if (input.webhook !== undefined) {
    // A webhook that had a key keeps it; a new one gets its key, shown in this answer only.
    const secret = next.webhook?.secret ?? newNotificationKey();
    if (!next.webhook) webhookSecret = secret;
    next.webhook = { url: input.webhook.url, secret };
  }
  await deps.notifications.saveSettings(siteId, next);
  const view = viewOfSettings(next, await listedSubscriptions(deps, [next]).catch(() => undefined));
  await deps.directory.recordAudit({
    who: editor.by,
    action: 'site.notifications-changed',
    target: `site:${siteId}`,
    siteId,
    version: site.version,
    before: { ...auditView(before) },
    after: { ...auditView(next) },
  });
  return { notifications: view, ...(webhookSecret ? { webhookSecret } : {}) };
}

/** What the audit keeps: the targets, the addresses, never a state read from SNS. */
function auditView(settings: NotificationSettings | undefined) {
  const { emailAddresses, ...rest } = viewOfSettings(settings);
  return { ...rest, emailAddresses: emailAddresses.map((entry) => entry.address) };
}

export type TestResult = { target: TargetName; ok: boolean; reason?: string };

/** Sends a test message to each of the site's targets now, past the outbox; says how each went. */
export async function testSiteNotifications(
  deps: SiteNotificationsDeps,
  siteId: string,
  editor: Editor,
): Promise<{ results: TestResult[] }> {
  const site = await deps.directory.getSite(siteId);
  if (!site) throw new NotFoundError(`No site ${siteId}`);
  const settings = await deps.notifications.settings(siteId);
  const now = deps.clock.now();
  const batchId = `ntf_test_${randomUUID()}`;
  const digest = buildDigest(site.name, []);
  digest.subject = `Crier, ${site.name}: a test of the editors' notifications`;
  digest.text = `${digest.subject}\nSent by ${editor.by} at ${now.toISOString()}. Nothing needs you.`;
  const results: TestResult[] = [];
  for (const target of targetsOf(settings)) {
    const outcome =
      target === 'slack' && settings?.slackWebhookUrl
        ? await deps.sender.slack(settings.slackWebhookUrl, slackBody(digest), batchId)
        : target === 'webhook' && settings?.webhook
          ? await deps.sender.webhook(
              settings.webhook,
              JSON.stringify(webhookBody(batchId, siteId, digest, now.toISOString())),
              batchId,
              now,
            )
          : await deps.sender.email(siteId, digest.subject, digest.text, batchId);
    results.push(outcome.ok ? { target, ok: true } : { target, ok: false, reason: outcome.reason });
  }
  await deps.directory.recordAudit({
    who: editor.by,
    action: 'site.notifications-tested',
    target: `site:${siteId}`,
    siteId,
    version: site.version,
    after: { results },
  });
  return { results };
}
