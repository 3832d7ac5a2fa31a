/**
 * Editors: who is calling the editor API, which sites they may see, and where the editors
 * made through the API and the sites' webhook keys are kept (the AccessStore port).
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';

/** The roles an editor may hold (in AWS, Cognito groups of the same names). */
export const EDITOR_ROLES = ['editor', 'admin'] as const;
export type EditorRole = (typeof EDITOR_ROLES)[number];

/**
 * Who is calling: `by` goes into each share's history and the audit, `role` decides what
 * they may do, `sites` whose articles, shares and channels they see (`all`: every site).
 */
export type Editor = { by: string; role: EditorRole; sites: readonly string[] | 'all' };

/** An editor made through the API (`POST /api/editors`), found by its token. */
export type TokenEditor = { name: string; role: EditorRole; sites: readonly string[] };

/** Whether the editor may see and act on `siteId`'s articles, shares and channels. */
export const mayAccessSite = (editor: Editor, siteId: string): boolean =>
  editor.sites === 'all' || editor.sites.includes(siteId);

export const editorAccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(EDITOR_ROLES),
  sites: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type EditorAccount = z.output<typeof editorAccountSchema>;

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The sites' webhook keys and the editors made through the API (shared/store/access-store.ts). */
export interface AccessStore {
  /** the keys a site's webhook accepts now: the current one, and the replaced one in its grace */
  webhookKeys(siteId: string): Promise<string[]>;
  /** false when the site has a key already */
  createWebhookKey(siteId: string, secret: string): Promise<boolean>;
  rotateWebhookKey(siteId: string, secret: string): Promise<void>;
  createEditor(
    input: { name: string; role: EditorRole; sites: string[] },
    who: string,
  ): Promise<{ editor: EditorAccount; token: string }>;
  listEditors(): Promise<EditorAccount[]>;
  editorByToken(token: string): Promise<EditorAccount | undefined>;
  deleteEditor(editorId: string): Promise<EditorAccount>;
}
