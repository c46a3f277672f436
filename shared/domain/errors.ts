/**
 * Domain errors. Each carries a stable machine code and a Vietnamese message a person understands; the HTTP status
 * is chosen in exactly one place (shared/http/errors.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    /** Vietnamese, shown to the user as is. */
    readonly messageVi: string,
    readonly details?: unknown,
  ) {
    super(messageVi);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** A link that is malformed, forged or names nothing: shown as "not found" with no detail. */
export class LinkInvalidError extends DomainError {
  readonly code = 'LINK_INVALID';
}

/** A link whose unit has been issued a newer one (revoked). */
export class LinkReplacedError extends DomainError {
  readonly code = 'LINK_REPLACED';
}

export class LinkExpiredError extends DomainError {
  readonly code = 'LINK_EXPIRED';
}

/** Uploads for this milestone are closed (hard cut-off passed). */
export class UploadClosedError extends DomainError {
  readonly code = 'UPLOAD_CLOSED';
}

/** Too many requests of one kind from one address or client in a window (sign-in links). */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
}

/** A sign-in link already used or past its 15 minutes. */
export class SignInLinkSpentError extends DomainError {
  readonly code = 'SIGN_IN_LINK_SPENT';
}

/** A state change without the session's CSRF token. */
export class CsrfError extends DomainError {
  readonly code = 'CSRF_FAILED';
}
