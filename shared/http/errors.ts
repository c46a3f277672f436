/**
 * The one place where errors become HTTP responses. 4xx: the domain's Vietnamese message and a stable code.
 * 5xx: a generic message and the request id; the detail goes to the log only.
 */
import * as z from 'zod';
import { vi } from 'zod/locales';
import { DomainError } from '../domain/errors';

// Zod's default messages in Vietnamese, for the fields whose schema gives no message of its own.
z.config(vi());

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LINK_INVALID: 404,
  LINK_REPLACED: 410,
  LINK_EXPIRED: 410,
  UPLOAD_CLOSED: 403,
  RATE_LIMITED: 429,
  SIGN_IN_LINK_SPENT: 410,
  CSRF_FAILED: 403,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

export interface MappedError {
  statusCode: number;
  body: ErrorBody;
  /** Whether this is the system's fault (log as error) or the caller's (log as info). */
  internal: boolean;
}

/** Zod issues as `{ field, message }`, with the path joined the way a form names its fields. */
export function describeIssues(error: z.ZodError): Array<{ field: string; message: string }> {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
}

export function mapError(error: unknown, requestId?: string): MappedError {
  if (error instanceof DomainError) {
    return {
      statusCode: STATUS_BY_CODE[error.code] ?? 400,
      body: { error: { code: error.code, message: error.messageVi, ...(error.details ? { details: error.details } : {}) } },
      internal: false,
    };
  }
  if (error instanceof z.ZodError) {
    return {
      statusCode: 400,
      body: {
        error: { code: 'VALIDATION_FAILED', message: 'Dữ liệu gửi lên không hợp lệ.', details: describeIssues(error) },
      },
      internal: false,
    };
  }
  return {
    statusCode: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút. Nếu lỗi lặp lại, hãy báo cho quản trị viên kèm mã yêu cầu.',
        ...(requestId ? { requestId } : {}),
      },
    },
    internal: true,
  };
}
