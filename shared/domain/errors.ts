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
