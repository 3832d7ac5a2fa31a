/**
 * What an admin may set as a site's notification targets: the API checks a body with it,
 * and the editor UI checks each field as it is typed (no Node built-ins here).
 */
import * as z from 'zod';

/** Addresses per site: a desk's list, not a mailing list. */
export const MAX_EMAIL_ADDRESSES = 20;

/** The site's targets as set by an admin; the secrets stay in the store, never in an answer. */
export const notificationTargetsInputSchema = z
  .object({
    /** a Slack incoming webhook URL (a secret: it lets anyone post to the channel) */
    slackWebhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .nullable()
      .optional(),
    /** send the digest to the deployment's e-mail topic, filtered to this site */
    email: z.boolean().optional(),
    /**
     * the addresses subscribed to the site's digests: Crier subscribes the new ones to the
     * topic (each confirms from the e-mail AWS sends) and unsubscribes the ones left out
     */
    emailAddresses: z
      .array(z.email().max(254))
      .max(MAX_EMAIL_ADDRESSES)
      .refine((list) => new Set(list.map((a) => a.toLowerCase())).size === list.length, {
        message: 'lists an address twice',
      })
      .optional(),
    /** a generic webhook, signed with Standard Webhooks; `null` removes it */
    webhook: z
      .object({ url: z.url({ protocol: /^https?$/ }).max(500) })
      .strict()
      .nullable()
      .optional(),
    /** drafts waiting for approval longer than this are reminded of, once */
    approvalReminderMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict();
export type NotificationTargetsInput = z.output<typeof notificationTargetsInputSchema>;
