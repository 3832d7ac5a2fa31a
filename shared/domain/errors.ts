/**
 * Typed domain errors. `shared/http` maps each `kind` to one HTTP status; nothing
 * else turns an error into a response.
 */
export type FieldIssue = { field: string; message: string };

export class CrierError extends Error {
  readonly kind: 'invalid' | 'unauthorized' | 'not-found' | 'conflict' | 'too-large';
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

export class UnauthorizedError extends CrierError {
  constructor(message = 'Unauthorized', options?: { cause?: unknown }) {
    super('unauthorized', message, options);
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
