/**
 * Wrapper for handlers that return a server-rendered page: a fresh CSP nonce per response, the page security
 * headers, and errors shown as Vietnamese pages (never JSON, never a stack trace).
 */
import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DomainError } from '../domain/errors';
import { logger } from '../runtime/logger';
import { html } from '../views/html';
import { renderLinkErrorPage, type LinkErrorKind } from '../views/member-page';
import { mapError } from './errors';
import { requestLogging } from './middleware';

export interface PageOptions {
  /** Extra origins the page's script may call (the upload bucket). */
  connectSrc?: readonly string[];
}

/** A page's Content-Security-Policy: nothing but this response's own inline style and script, and our origins. */
export function contentSecurityPolicy(nonce: string, connectSrc: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectSrc].join(' '),
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageResponse(statusCode: number, body: string, nonce: string, options: PageOptions = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(nonce, options.connectSrc),
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex, nofollow',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    },
    body,
  };
}

const LINK_ERROR_KINDS: Record<string, LinkErrorKind> = {
  LINK_INVALID: 'not-found',
  NOT_FOUND: 'not-found',
  VALIDATION_FAILED: 'not-found',
  LINK_REPLACED: 'replaced',
  LINK_EXPIRED: 'expired',
};

function unavailablePage(requestId: string): string {
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hệ thống tạm thời gián đoạn</title></head>
<body><main><h1>Hệ thống tạm thời gián đoạn</h1>
<p>Vui lòng thử lại sau ít phút. Nếu lỗi lặp lại, hãy báo cho đơn vị Cụm trưởng kèm mã: ${requestId}.</p>
</main></body></html>`.value;
}

export type PageLogic = (event: APIGatewayProxyEventV2, nonce: string) => Promise<{ statusCode?: number; body: string }>;

export function pageHandler(logic: PageLogic, options: PageOptions = {}) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(requestLogging())
    .use({
      onError: async (request) => {
        const nonce = randomBytes(16).toString('base64');
        const error = request.error;
        const mapped = mapError(error, request.context.awsRequestId);
        if (error instanceof DomainError) {
          logger.info('page refused', { code: error.code, status: mapped.statusCode });
          const kind = LINK_ERROR_KINDS[error.code] ?? 'not-found';
          request.response = pageResponse(kind === 'not-found' ? 404 : 410, renderLinkErrorPage({ kind, nonce }), nonce);
          return;
        }
        logger.error('page failed', { error: error ?? undefined });
        request.response = pageResponse(500, unavailablePage(request.context.awsRequestId), nonce);
      },
    })
    .handler(async (event) => {
      const nonce = randomBytes(16).toString('base64');
      const page = await logic(event, nonce);
      return pageResponse(page.statusCode ?? 200, page.body, nonce, options);
    });
}
