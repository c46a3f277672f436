/**
 * Correlation ids: one id follows a piece of work from what started it (an HTTP request, a schedule firing) to the
 * emails it sends, through log lines, the upload intent, the reminder queue's messages and the SES message tags.
 * An id is never made from anything secret: it is a caller's own `x-correlation-id`, a request id or a new UUID.
 */
import * as z from 'zod';

/** 8 to 64 characters of [A-Za-z0-9_-]: fits a header, a log line and an SES tag value (which allows only these). */
export const CorrelationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Mã tương quan không hợp lệ');

/** The SES message tag that carries the id; SES echoes it in bounce and complaint events. */
export const CORRELATION_TAG = 'correlation-id';

export function isCorrelationId(value: unknown): value is string {
  return CorrelationIdSchema.safeParse(value).success;
}

/**
 * An id made from another system's request id, keeping only the characters an id may hold (API Gateway HTTP API
 * ids end in "="); undefined when what is left is too short or too long.
 */
export function toCorrelationId(requestId: string | undefined): string | undefined {
  const kept = requestId?.replace(/[^A-Za-z0-9_-]/g, '');
  return isCorrelationId(kept) ? kept : undefined;
}

/** The message tags that carry `id`: none when there is no well-formed id (SES refuses a bad tag value). */
export function correlationTags(id: string | undefined): Record<string, string> {
  return isCorrelationId(id) ? { [CORRELATION_TAG]: id } : {};
}
