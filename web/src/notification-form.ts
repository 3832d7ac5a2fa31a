/**
 * A site's notification targets as the form holds them: what is typed becomes the PUT's
 * body (only what changed), checked field by field by the API's own schema as it is
 * typed. The URLs typed are secrets: they live in the form's state only, until saved.
 */
import {
  MAX_EMAIL_ADDRESSES,
  notificationTargetsInputSchema,
} from '../../shared/domain/notification-targets';
import type { NotificationsView } from './schemas';

export type NotificationForm = {
  /** a new Slack incoming webhook URL; empty keeps the one set */
  slackUrl: string;
  removeSlack: boolean;
  /** the addresses, one a line (commas and spaces separate them too) */
  emails: string;
  /** a new signed webhook URL; empty keeps the one set */
  webhookUrl: string;
  removeWebhook: boolean;
  minutes: string;
};

export type NotificationField =
  | 'slackWebhookUrl'
  | 'emailAddresses'
  | 'webhook'
  | 'approvalReminderMinutes';

export const NOTIFICATION_FIELDS: readonly NotificationField[] = [
  'slackWebhookUrl',
  'emailAddresses',
  'webhook',
  'approvalReminderMinutes',
];

export { MAX_EMAIL_ADDRESSES };

export function formOfView(view: NotificationsView): NotificationForm {
  return {
    slackUrl: '',
    removeSlack: false,
    emails: view.emailAddresses.map((entry) => entry.address).join('\n'),
    webhookUrl: '',
    removeWebhook: false,
    minutes: String(view.approvalReminderMinutes),
  };
}

export const addressesOf = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter(Boolean);

/** The body of the PUT: the fields the admin changed, and nothing else. */
export function bodyOf(form: NotificationForm, view: NotificationsView): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (form.removeSlack) body.slackWebhookUrl = null;
  else if (form.slackUrl.trim()) body.slackWebhookUrl = form.slackUrl.trim();
  if (form.removeWebhook) body.webhook = null;
  else if (form.webhookUrl.trim()) body.webhook = { url: form.webhookUrl.trim() };
  const addresses = addressesOf(form.emails);
  const current = view.emailAddresses.map((entry) => entry.address);
  if (addresses.join('\n') !== current.join('\n')) body.emailAddresses = addresses;
  const minutes = form.minutes.trim();
  const asNumber = /^\d+$/.test(minutes) ? Number(minutes) : Number.NaN;
  if (asNumber !== view.approvalReminderMinutes) body.approvalReminderMinutes = asNumber;
  return body;
}

/** Why each field would be refused, in words; an entry of the list says which one. */
export function checkNotificationForm(
  form: NotificationForm,
  view: NotificationsView,
): { body: Record<string, unknown>; fields: Partial<Record<NotificationField, string[]>> } {
  const body = bodyOf(form, view);
  const checked = notificationTargetsInputSchema.safeParse(body);
  const fields: Partial<Record<NotificationField, string[]>> = {};
  if (checked.success) return { body, fields };
  const addresses = addressesOf(form.emails);
  for (const issue of checked.error.issues) {
    const [first, second] = issue.path;
    const field = NOTIFICATION_FIELDS.find((name) => name === first) ?? 'webhook';
    const message =
      field === 'emailAddresses' && typeof second === 'number'
        ? `${addresses[second] ?? `entry ${second + 1}`}: ${issue.code === 'too_big' ? 'too long' : 'not an e-mail address'}`
        : field === 'emailAddresses' && issue.code === 'too_big'
          ? `at most ${MAX_EMAIL_ADDRESSES} addresses`
          : field === 'approvalReminderMinutes'
            ? 'a whole number of minutes, from 5 to 10080 (a week)'
            : field === 'emailAddresses'
              ? issue.message
              : 'an http(s) URL of at most 500 characters';
    const messages = fields[field] ?? [];
    if (!messages.includes(message)) messages.push(message);
    fields[field] = messages;
  }
  return { body, fields };
}

/** The 400's fields, by form field (`emailAddresses.2` is the list's, `webhook.url` the webhook's). */
export function serverIssues(
  issues: readonly { field: string; message: string }[],
): Partial<Record<NotificationField, string[]>> {
  const fields: Partial<Record<NotificationField, string[]>> = {};
  for (const issue of issues) {
    const name = issue.field.split('.')[0] ?? '';
    const field = NOTIFICATION_FIELDS.find((f) => f === name);
    if (!field) continue;
    fields[field] = [...(fields[field] ?? []), issue.message];
  }
  return fields;
}
