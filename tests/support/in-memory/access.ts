/**
 * The AccessStore port in memory: each site's keys by kind (the current and the replaced
 * one, kept without a grace: the table's adapter is tested for that), the editors, and
 * the groups a runtime with groups (Cognito) would hold.
 */
import { randomUUID } from 'node:crypto';
import type {
  AccessStore,
  EditorAccount,
  NewEditor,
  WebhookKind,
} from '../../../shared/domain/editor';
import { NotFoundError } from '../../../shared/domain/errors';

export class InMemoryAccessStore implements AccessStore {
  /** `<siteId>/<kind>` -> the keys, current first */
  readonly keys = new Map<string, string[]>();
  readonly editors = new Map<string, EditorAccount>();
  readonly siteGroups = new Set<string>();

  async webhookKeys(siteId: string, kind: WebhookKind = 'generic'): Promise<string[]> {
    return [...(this.keys.get(`${siteId}/${kind}`) ?? [])];
  }

  async createWebhookKey(siteId: string, secret: string, kind: WebhookKind = 'generic') {
    if (this.keys.has(`${siteId}/${kind}`)) return false;
    this.keys.set(`${siteId}/${kind}`, [secret]);
    return true;
  }

  async rotateWebhookKey(siteId: string, secret: string, kind: WebhookKind = 'generic') {
    const [current] = this.keys.get(`${siteId}/${kind}`) ?? [];
    this.keys.set(`${siteId}/${kind}`, current ? [secret, current] : [secret]);
  }

  async createEditor(input: NewEditor, who: string) {
    const editor: EditorAccount = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      sites: input.sites,
      createdAt: '2026-03-02T09:00:00.000Z',
      createdBy: who,
    };
    this.editors.set(editor.id, editor);
    return { editor, token: `crier_${randomUUID()}` };
  }

  async listEditors() {
    return [...this.editors.values()];
  }

  async editorByToken() {
    return undefined;
  }

  async deleteEditor(editorId: string) {
    const editor = this.editors.get(editorId);
    if (!editor) throw new NotFoundError(`No editor ${editorId}`);
    this.editors.delete(editorId);
    return editor;
  }

  async createSiteGroup(siteId: string) {
    this.siteGroups.add(siteId);
  }
}
