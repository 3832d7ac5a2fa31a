/**
 * The notifications form's pure side (web/src/notification-form.ts): the PUT's body holds
 * only what changed, and the API's own schema is placed on the form's fields.
 */
import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  checkNotificationForm,
  formOfView,
  serverIssues,
} from '../../../web/src/notification-form';
import type { NotificationsView } from '../../../web/src/schemas';

const view: NotificationsView = {
  slack: true,
  email: true,
  emailAddresses: [
    { address: 'desk@news.example.org', state: 'confirmed' },
    { address: 'night@news.example.org', state: 'pending' },
  ],
  webhook: { set: true, origin: 'https://cms.example.org' },
  approvalReminderMinutes: 60,
};

describe('the notifications form', () => {
  it('sends nothing for an untouched form: the saved URLs are never sent back', () => {
    expect(bodyOf(formOfView(view), view)).toEqual({});
  });

  it('sends a typed URL, a removal, the whole new list of addresses and new minutes', () => {
    const form = {
      ...formOfView(view),
      slackUrl: ' https://hooks.slack.com/services/T/B/x ',
      removeWebhook: true,
      emails: 'desk@news.example.org, web@news.example.org',
      minutes: '30',
    };
    expect(bodyOf(form, view)).toEqual({
      slackWebhookUrl: 'https://hooks.slack.com/services/T/B/x',
      webhook: null,
      emailAddresses: ['desk@news.example.org', 'web@news.example.org'],
      approvalReminderMinutes: 30,
    });
  });

  it('names the failing field and the address at fault', () => {
    const { fields } = checkNotificationForm(
      {
        ...formOfView(view),
        slackUrl: 'hooks.slack.com/services/x',
        webhookUrl: 'ftp://cms.example.org/hook',
        emails: 'desk@news.example.org\nnot-an-address\nDESK@news.example.org',
        minutes: '4',
      },
      view,
    );
    expect(Object.keys(fields).sort()).toEqual([
      'approvalReminderMinutes',
      'emailAddresses',
      'slackWebhookUrl',
      'webhook',
    ]);
    expect(fields.emailAddresses).toContain('not-an-address: not an e-mail address');
    expect(fields.emailAddresses?.join()).toMatch(/twice/);
    expect(checkNotificationForm(formOfView(view), view).fields).toEqual({});
  });

  it("places a 400's fields on the form's", () => {
    expect(
      serverIssues([
        { field: 'emailAddresses', message: 'no e-mail topic in this deployment' },
        { field: 'webhook.url', message: 'Invalid URL' },
        { field: 'other', message: 'ignored here' },
      ]),
    ).toEqual({
      emailAddresses: ['no e-mail topic in this deployment'],
      webhook: ['Invalid URL'],
    });
  });
});
