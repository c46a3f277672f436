/** Request bodies: JSON only, size-capped, validated by a zod schema; every failure is a clear 400. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../domain/errors';

const MAX_JSON_BYTES = 64 * 1024;

export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_JSON_BYTES) throw new ValidationError('Dữ liệu gửi lên quá lớn.');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError('Dữ liệu gửi lên phải là JSON hợp lệ.');
  }
  return schema.parse(value);
}
