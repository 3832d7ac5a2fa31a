/**
 * Typed domain errors. `shared/http` maps each `kind` to one HTTP status; nothing
 * else turns an error into a response.
 */
export type FieldIssue = { field: string; message: string };

export class CrierError extends Error {
  readonly kind: 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'too-large';
  constructor(kind: CrierError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** Input that fails validation; `issues` name the failing fields. */
export class ValidationError extends CrierError {
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[], options?: { cause?: unknown }) {
    super('invalid', message, options);
    this.issues = issues;
  }
}

/** A post's text over its network's limit, or otherwise not a post the network takes. */
export class PostTextError extends ValidationError {
  /** the network's own count of the text, its limit and the unit it counts in */
  readonly length: { used: number; limit: number; unit: string };
  /** `field`: the text's name in the request (`text`, or `thread.<i>` for a part of a thread) */
  constructor(message: string, length: PostTextError['length'], field = 'text') {
    super(message, [{ field, message }]);
    this.length = length;
  }
}

export class UnauthorizedError extends CrierError {
  constructor(message = 'Unauthorized', options?: { cause?: unknown }) {
    super('unauthorized', message, options);
  }
}

/** A valid token whose holder may not do this (not in the editor or admin group). */
export class ForbiddenError extends CrierError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends CrierError {
  constructor(message: string) {
    super('not-found', message);
  }
}

/** A change the share state machine (or a concurrent writer) does not allow. */
export class ConflictError extends CrierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

export class PayloadTooLargeError extends CrierError {
  constructor(message: string) {
    super('too-large', message);
  }
}

/**
 * The table refused a write for a reason other than a lost race (a version conflict is
 * a ConflictError): the record is as it was. Not a CrierError: it is no fault of the
 * caller's, and its cause (the database's own words) stays in the log.
 */
export class StoreWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreWriteError';
  }
}
