/**
 * What a network client does for the publisher: post a share, find out whether an
 * earlier attempt posted it, and delete or edit the post once its article is withdrawn.
 * Every outcome is typed; a client never throws for what the network answered
 * (docs/networks.md maps each answer to a kind).
 */
import type { Counts } from '../domain/metrics';
import type { Share } from '../domain/share';
import type { MediaRef } from './types';

export type ClientCall = {
  /** the share as claimed: text, url, card, facets, language, keys */
  share: Share;
  /** the channel's account on the network, as configured */
  account: string;
  /** the channel's credentials, as stored; each client validates its own shape */
  credentials: unknown;
  /** what the client asked to keep last time (rotating tokens), opaque to the caller */
  session?: string;
  /** the client must give up (and answer) within this many milliseconds */
  timeoutMs: number;
  /** one login at a time for the channel, across processes; none: the client logs in alone */
  loginGate?: LoginGate;
};

/**
 * The channel's single-flight login (a password login is rate limited per account): while
 * `login` runs no other process logs in for the channel. `login` is handed the session
 * stored by the time the gate opened, which another process may just have made; the
 * session it answers (`session`) is stored before the gate lets the next one in.
 */
export type LoginGate = {
  exclusive<T extends { session?: string }>(
    login: (stored: string | undefined) => Promise<T>,
  ): Promise<T>;
};

/**
 * One post that continues a share's thread: `share.thread[index]`, as a reply to
 * `parentId`. The thread's first post is `share.remoteId`; share-thread.ts says which
 * part comes next.
 */
export type ReplyCall = ClientCall & {
  /** the part of `share.thread` to post (0: the thread's second post) */
  index: number;
  /** the remote id of the post this one answers: the first post's, or the previous part's */
  parentId: string;
};

/**
 * The network refused the credentials. Without `permission` the token itself is dead
 * (expired, revoked, invalid): a refresh may bring it back. With it the token is alive
 * but lacks a permission, a scope or a role (Meta's #10 and #200-series, a 403 from X or
 * LinkedIn, a Telegram bot that may not post): no refresh can help, a person must grant it.
 */
export type AuthRefusal = { kind: 'auth'; message: string; permission?: true };

type Session = {
  /** a new session to keep (refreshed tokens); undefined = keep the old one */
  session?: string;
};

export type PublishOutcome = Session &
  (
    | {
        kind: 'published';
        remoteId: string;
        remoteUrl: string;
        /** what went out other than composed (a mention left as plain text), for the editors */
        warnings?: string[];
      }
    /** credentials expired or revoked, or (`permission`) lacking a permission or role */
    | AuthRefusal
    /** permanent: fix the content or the config */
    | { kind: 'rejected'; message: string }
    /** transient, and the post was certainly not made */
    | { kind: 'retry'; message: string }
    /** rate limited until `until` (ISO 8601); the post was not made */
    | { kind: 'rate'; until: string; message: string }
    /** the post may have been made: reconcile before any retry */
    | { kind: 'unknown'; message: string }
  );

export type ReconcileOutcome = Session &
  (
    | { kind: 'found'; remoteId: string; remoteUrl: string }
    /** certainly not posted: safe to post again with the same key */
    | { kind: 'absent' }
    /**
     * cannot tell now (network down, rate limited); `never` when the network offers no way
     * to look at all, so asking again cannot help: the share is parked for an editor at once
     */
    | { kind: 'unsure'; reason: string; never?: boolean }
  );

/** A multi-step network's first step (Threads, Instagram: the media container). */
export type PrepareOutcome = Session &
  (
    | { kind: 'prepared'; preparedId: string }
    | AuthRefusal
    | { kind: 'rejected'; message: string }
    | { kind: 'retry'; message: string }
    | { kind: 'rate'; until: string; message: string }
  );

/** A published post to delete, or to edit to `text` (plain text, as a reader sees it). */
export type WithdrawCall = ClientCall &
  ({ action: 'delete'; text?: undefined } | { action: 'edit'; text: string });

/**
 * Deleting and editing are idempotent (a post already gone counts as done), so nothing
 * here is `unknown`: whatever did not finish is safe to try again.
 */
export type WithdrawOutcome = Session &
  /** deleted or edited, or already gone (`note` says which) */
  (
    | { kind: 'withdrawn'; note?: string }
    | AuthRefusal
    /** the network refuses (not offered, too old, not allowed): an editor must act by hand */
    | { kind: 'rejected'; message: string }
    | { kind: 'retry'; message: string }
    | { kind: 'rate'; until: string; message: string }
  );

/** A published post whose counts to read: `share.remoteId` (for a thread, its first post). */
export type MetricsCall = ClientCall;

export type MetricsOutcome = Session &
  /** the counts as the network gives them now; a count it does not report is left out */
  (
    | { kind: 'read'; counts: Counts }
    | AuthRefusal
    /** the post is gone from the network (deleted there): stop reading it */
    | { kind: 'gone'; message: string }
    /** the network refuses to give counts for this post or account (not a business account...) */
    | { kind: 'rejected'; message: string }
    | { kind: 'retry'; message: string }
    | { kind: 'rate'; until: string; message: string }
  );

/**
 * A note posted under a published post (a correction): `text` as a reply to `parentId`
 * (the share's `remoteId`, or the last post of its thread). `key` is the note's own
 * idempotency handle, stable across attempts, derived from the share's and the revision's.
 */
export type NoteCall = ClientCall & { text: string; parentId: string; key: string };

export interface NetworkClient {
  /**
   * Multi-step networks only: makes what the post needs ahead of dueAt (a container)
   * and answers its id, which the publisher stores on the share; `publish` then runs
   * only the last step with `share.preparedId`. Preparing posts nothing, so every
   * failure here is safe to retry.
   */
  prepare?(call: ClientCall): Promise<PrepareOutcome>;
  publish(call: ClientCall): Promise<PublishOutcome>;
  reconcile(call: ClientCall): Promise<ReconcileOutcome>;
  /**
   * Networks that take threads (THREAD_PLATFORMS): each part goes out as a reply, with an
   * idempotency handle of its own derived from the share's, and after an unknown outcome
   * `reconcile` finds out whether that part is on the network. Outcomes mean what they
   * mean for the first post.
   */
  replies?: {
    publish(call: ReplyCall): Promise<PublishOutcome>;
    reconcile(call: ReplyCall): Promise<ReconcileOutcome>;
  };
  /** Deletes or edits `share.remoteId` (WITHDRAW_SUPPORT says which networks allow which). */
  withdraw(call: WithdrawCall): Promise<WithdrawOutcome>;
  /** Reads the published post's engagement counts (docs/networks.md). */
  metrics?(call: MetricsCall): Promise<MetricsOutcome>;
  /**
   * Posts a note under a published post (a correction), and after an unknown outcome
   * finds out whether the note is on the network, as `replies` do for a thread.
   */
  notes?: {
    publish(call: NoteCall): Promise<PublishOutcome>;
    reconcile(call: NoteCall): Promise<ReconcileOutcome>;
  };
}

/**
 * An attached image's bytes, as Crier stored them when it made the share's image (`s3://`
 * in the media bucket, already fitted to the network); undefined for any other URL: a
 * client never fetches an image off the web itself.
 */
export type ImageSource = (
  ref: MediaRef,
) => Promise<{ bytes: Uint8Array; mimeType: string } | undefined>;
