/** Request bodies: JSON only, size-capped, validated by a zod schema; every failure is a clear 400. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../domain/errors';

const MAX_JSON_BYTES = 64 * 1024;

/** `maxBytes`: a larger cap for the few endpoints that take a file (see Endpoint.maxBodyBytes). */
export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S, maxBytes: number = MAX_JSON_BYTES): z.infer<S> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) throw new ValidationError('Dữ liệu gửi lên quá lớn.');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError('Dữ liệu gửi lên phải là JSON hợp lệ.');
  }
  if (hasLoneSurrogate(value)) throw new ValidationError('Dữ liệu gửi lên có ký tự không hợp lệ (mã Unicode bị cắt dở).');
  return schema.parse(value);
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a string of `value` (or a key) holds half of a UTF-16 pair (JSON allows "\ud800"). Such text is no valid
 * Unicode: once stored it would break every email that quotes it (the SDK cannot encode it). Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
function hasLoneSurrogate(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (LONE_SURROGATE.test(next)) return true;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) pending.push(key, item);
    }
  }
  return false;
}
