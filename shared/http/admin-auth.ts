/**
 * Admin access for the read API until the admin sign-in exists: an API key whose SHA-256 is configured, compared in
 * constant time. Locally the stack may open reads with LOCAL_OPEN_READS (never set by the CDK app).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AdminAuthEnv } from '../config';
import { UnauthorizedError } from '../domain/errors';

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

function presentedKey(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers?.['x-api-key'];
  if (header) return header;
  const auth = event.headers?.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

/** Throws UnauthorizedError unless the request carries the admin key (or reads are open locally). */
export function requireAdmin(event: APIGatewayProxyEventV2, env: AdminAuthEnv): void {
  if (env.LOCAL_OPEN_READS === 'true') return;
  const key = presentedKey(event);
  const expected = env.ADMIN_API_KEY_SHA256;
  if (key && expected) {
    const given = Buffer.from(sha256Hex(key), 'hex');
    if (timingSafeEqual(given, Buffer.from(expected, 'hex'))) return;
  }
  throw new UnauthorizedError('Cần khóa API quản trị hợp lệ (tiêu đề x-api-key) để xem dữ liệu này.');
}
