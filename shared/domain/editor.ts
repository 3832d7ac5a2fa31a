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
  /** where a Cognito invitation went (AWS); editors made locally have none */
  email: z.string().optional(),
});
export type EditorAccount = z.output<typeof editorAccountSchema>;

/** An editor to make: in AWS an email for Cognito's invitation is required too. */
export type NewEditor = { name: string; role: EditorRole; sites: string[]; email?: string };

/**
 * The kinds of webhook a site takes, each signed with a key of its own: the generic
 * article and WordPress with a Standard Webhooks key, Ghost with its own secret.
 */
export const WEBHOOK_KINDS = ['generic', 'wordpress', 'ghost'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * A new key of the kind: Standard Webhooks' `whsec_...` for the generic and WordPress
 * webhooks; for Ghost, which takes any string and signs with it as it is, 32 random bytes
 * in hex (the shape of the secret Ghost itself generates).
 */
export const newWebhookKey = (kind: WebhookKind): string =>
  kind === 'ghost' ? randomBytes(32).toString('hex') : newWebhookSecret();

/** The sites' webhook keys, one set per kind (shared/store/access-store.ts). */
export interface WebhookKeyStore {
  /** the keys a site's webhook accepts now: the current one, and the replaced one in its grace */
  webhookKeys(siteId: string, kind?: WebhookKind): Promise<string[]>;
  /** false when the site has a key of the kind already */
  createWebhookKey(siteId: string, secret: string, kind?: WebhookKind): Promise<boolean>;
  rotateWebhookKey(siteId: string, secret: string, kind?: WebhookKind): Promise<void>;
}

/**
 * The editors: made through the API with a token of their own locally
 * (shared/store/access-store.ts), Cognito users in groups in AWS
 * (shared/store/cognito-editors.ts).
 */
export interface EditorAccounts {
  /** the token is there only when the runtime makes one (locally); Cognito sends an invitation */
  createEditor(input: NewEditor, who: string): Promise<{ editor: EditorAccount; token?: string }>;
  listEditors(): Promise<EditorAccount[]>;
  /** the editor a local token belongs to; in AWS, API Gateway checks the JWT instead */
  editorByToken(token: string): Promise<EditorAccount | undefined>;
  deleteEditor(editorId: string): Promise<EditorAccount>;
  /** a new site's group, where the runtime keeps groups (Cognito's `site:<id>`) */
  createSiteGroup(siteId: string): Promise<void>;
}

/** Who may sign and who may ask: the sites' webhook keys and the editors. */
export type AccessStore = WebhookKeyStore & EditorAccounts;
