/**
 * The admin page (HTML shell and its hashed static assets) and the OpenAPI document. No data access at all: the page
 * talks to the admin API from the browser.
 *
 * Assets are served from this function rather than S3 + CloudFront: two small files (script and style sheet) whose
 * names change with their content, sent with a one-year immutable cache header and precompressed (brotli or gzip,
 * computed at build time), so a browser fetches each version once and the function does no work per request beyond
 * a map lookup.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from '../../shared/domain/errors';
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import { openApiDocument } from '../../shared/http/openapi';
import { ADMIN_SCRIPT, ADMIN_STYLES, type AdminAssetFile } from '../../shared/views/admin-assets.generated';
import { ADMIN_CONTENT_SECURITY_POLICY, renderAdminShell, type AdminShellPage } from '../../shared/views/admin-shell';

const ASSETS = new Map<string, AdminAssetFile>([ADMIN_SCRIPT, ADMIN_STYLES].map((a) => [a.name, a]));
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The shell: never cached (it names the current assets), never framed, no referrer. */
function shell(page: AdminShellPage): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': ADMIN_CONTENT_SECURITY_POLICY,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'x-robots-tag': 'noindex, nofollow',
    },
    body: renderAdminShell(page),
  };
}

/**
 * The content coding to send for an Accept-Encoding header: brotli if accepted, else gzip, else none. Codings with
 * q=0 are refused ones; `*` accepts anything not named.
 */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';').map((s) => s.trim());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const allows = (coding: string): boolean => {
    const weight = accepted.get(coding) ?? (coding === 'gzip' ? accepted.get('x-gzip') : undefined) ?? accepted.get('*');
    return weight !== undefined && weight > 0;
  };
  if (allows('br')) return 'br';
  if (allows('gzip')) return 'gzip';
  return undefined;
}

function assetResponse(asset: AdminAssetFile, acceptEncoding: string | undefined): APIGatewayProxyStructuredResultV2 {
  const headers = {
    'content-type': asset.contentType,
    'cache-control': IMMUTABLE,
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  const encoding = pickEncoding(acceptEncoding);
  if (!encoding) return { statusCode: 200, headers, body: asset.body };
  return { statusCode: 200, headers: { ...headers, 'content-encoding': encoding }, body: asset[encoding], isBase64Encoded: true };
}

let openApiJson: string | undefined;

export const handler = adminRouter<'page'>(
  adminEndpoints.filter((e) => e.fn === 'page'),
  {
    AdminPage: async () => ({ raw: shell('admin') }),
    SignInPage: async () => ({ raw: shell('sign-in') }),
    AdminAsset: async ({ params, event }) => {
      const asset = ASSETS.get(params.file);
      if (!asset) throw new NotFoundError('Không có tệp này.');
      return { raw: assetResponse(asset, event.headers?.['accept-encoding']) };
    },
    OpenApi: async () => {
      openApiJson ??= JSON.stringify(openApiDocument());
      return {
        raw: {
          statusCode: 200,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' },
          body: openApiJson,
        },
      };
    },
  },
  {},
);
