/**
 * A network client that answers what the test scripted, for unit tests only: the outcomes
 * a sandbox cannot be made to give on cue in a millisecond test (an unknown outcome, a
 * rate limit with a chosen reset). The sandbox and emulator tests keep the real clients.
 *
 * Each method takes its answers in order from its own script; an answer may be a function
 * of the call (to act while the call is "out", as a racing writer). A call with nothing
 * scripted throws, which the publisher turns into an unknown outcome: `unscripted` lists
 * such calls, so a test can assert it is empty.
 */
import type { Share } from '../../../shared/domain/share';
import type {
  ClientCall,
  NetworkClient,
  NoteCall,
  PrepareOutcome,
  PublishOutcome,
  ReconcileOutcome,
  ReplyCall,
  WithdrawCall,
  WithdrawOutcome,
} from '../../../shared/platforms/client';

type Answer<C, O> = O | ((call: C) => O | Promise<O>);

export type ClientMethod =
  | 'prepare'
  | 'publish'
  | 'reconcile'
  | 'withdraw'
  | 'reply'
  | 'replyReconcile'
  | 'note'
  | 'noteReconcile';

/** One call the client received: the method, and the call as it was then (a copy). */
export type RecordedCall = {
  method: ClientMethod;
  share: Share;
  account: string;
  credentials: unknown;
  session?: string;
  timeoutMs: number;
  action?: WithdrawCall['action'];
  text?: string;
  index?: number;
  parentId?: string;
  /** a note's own key */
  key?: string;
};

/** The outcomes by name, as the publisher's table in docs/networks.md calls them. */
export const outcome = {
  posted: (remoteId: string, remoteUrl = `https://social.example/@desk/${remoteId}`) =>
    ({ kind: 'published', remoteId, remoteUrl }) as const,
  retry: (message = 'HTTP 503: try again') => ({ kind: 'retry', message }) as const,
  rate: (until: string, message = 'HTTP 429') => ({ kind: 'rate', until, message }) as const,
  rejected: (message = 'HTTP 422: text too long') => ({ kind: 'rejected', message }) as const,
  auth: (message = 'HTTP 401: token revoked') => ({ kind: 'auth', message }) as const,
  unknown: (message = 'timeout after the create request') =>
    ({ kind: 'unknown', message }) as const,
  found: (remoteId: string, remoteUrl = `https://social.example/@desk/${remoteId}`) =>
    ({ kind: 'found', remoteId, remoteUrl }) as const,
  absent: () => ({ kind: 'absent' }) as const,
  unsure: (reason = 'the account search timed out', never?: boolean) =>
    ({ kind: 'unsure', reason, ...(never ? { never } : {}) }) as const,
  withdrawn: (note?: string) => ({ kind: 'withdrawn', ...(note ? { note } : {}) }) as const,
};

export class ScriptedClient implements NetworkClient {
  readonly calls: RecordedCall[] = [];
  readonly unscripted: ClientMethod[] = [];
  private readonly scripts = {
    prepare: [] as Answer<ClientCall, PrepareOutcome>[],
    publish: [] as Answer<ClientCall, PublishOutcome>[],
    reconcile: [] as Answer<ClientCall, ReconcileOutcome>[],
    withdraw: [] as Answer<WithdrawCall, WithdrawOutcome>[],
    reply: [] as Answer<ReplyCall, PublishOutcome>[],
    replyReconcile: [] as Answer<ReplyCall, ReconcileOutcome>[],
    note: [] as Answer<NoteCall, PublishOutcome>[],
    noteReconcile: [] as Answer<NoteCall, ReconcileOutcome>[],
  };
  prepare?: NetworkClient['prepare'];
  replies?: NetworkClient['replies'];
  notes?: NetworkClient['notes'];

  /**
   * `prepare`: a multi-step network (Threads, Instagram); `replies`: one that takes threads;
   * `notes`: one that posts correction notes under a post.
   */
  constructor(options: { prepare?: boolean; replies?: boolean; notes?: boolean } = {}) {
    if (options.prepare) this.prepare = (call) => this.answer('prepare', call);
    if (options.notes) {
      this.notes = {
        publish: (call) => this.answer('note', call),
        reconcile: (call) => this.answer('noteReconcile', call),
      };
    }
    if (options.replies) {
      this.replies = {
        publish: (call) => this.answer('reply', call),
        reconcile: (call) => this.answer('replyReconcile', call),
      };
    }
  }

  onPublish(...answers: Answer<ClientCall, PublishOutcome>[]): this {
    this.scripts.publish.push(...answers);
    return this;
  }

  onReconcile(...answers: Answer<ClientCall, ReconcileOutcome>[]): this {
    this.scripts.reconcile.push(...answers);
    return this;
  }

  onWithdraw(...answers: Answer<WithdrawCall, WithdrawOutcome>[]): this {
    this.scripts.withdraw.push(...answers);
    return this;
  }

  onPrepare(...answers: Answer<ClientCall, PrepareOutcome>[]): this {
    this.scripts.prepare.push(...answers);
    return this;
  }

  onReply(...answers: Answer<ReplyCall, PublishOutcome>[]): this {
    this.scripts.reply.push(...answers);
    return this;
  }

  onReplyReconcile(...answers: Answer<ReplyCall, ReconcileOutcome>[]): this {
    this.scripts.replyReconcile.push(...answers);
    return this;
  }

  onNote(...answers: Answer<NoteCall, PublishOutcome>[]): this {
    this.scripts.note.push(...answers);
    return this;
  }

  onNoteReconcile(...answers: Answer<NoteCall, ReconcileOutcome>[]): this {
    this.scripts.noteReconcile.push(...answers);
    return this;
  }

  publish(call: ClientCall): Promise<PublishOutcome> {
    return this.answer('publish', call);
  }

  reconcile(call: ClientCall): Promise<ReconcileOutcome> {
    return this.answer('reconcile', call);
  }

  withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
    return this.answer('withdraw', call);
  }

  /** The calls of one method, in order. */
  callsOf(method: ClientMethod): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Answers scripted and never asked for, by method: a test expecting a call that never came. */
  leftover(): Partial<Record<ClientMethod, number>> {
    return Object.fromEntries(
      Object.entries(this.scripts)
        .filter(([, answers]) => answers.length > 0)
        .map(([method, answers]) => [method, answers.length]),
    );
  }

  private async answer<C extends ClientCall, O>(method: ClientMethod, call: C): Promise<O> {
    const { share, account, credentials, session, timeoutMs } = call;
    const extra = call as Partial<WithdrawCall & ReplyCall & NoteCall>;
    this.calls.push({
      method,
      share: JSON.parse(JSON.stringify(share)) as Share,
      account,
      credentials,
      ...(session !== undefined ? { session } : {}),
      timeoutMs,
      ...(extra.action ? { action: extra.action } : {}),
      ...(extra.text !== undefined ? { text: extra.text } : {}),
      ...(extra.index !== undefined ? { index: extra.index } : {}),
      ...(extra.parentId !== undefined ? { parentId: extra.parentId } : {}),
      ...(extra.key !== undefined ? { key: extra.key } : {}),
    });
    const next = (this.scripts[method] as Answer<C, O>[]).shift();
    if (next === undefined) {
      this.unscripted.push(method);
      throw new Error(`ScriptedClient: nothing scripted for ${method}`);
    }
    return typeof next === 'function' ? (next as (call: C) => O | Promise<O>)(call) : next;
  }
}
