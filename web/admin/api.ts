/**
 * The admin JSON API from the browser: same-origin fetch with the session cookie, the CSRF token on every change,
 * and errors as {@link ApiError} carrying the API's Vietnamese message (never a stack trace).
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Zod issues (`[{ field, message }]`) for VALIDATION_FAILED, or other details. */
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let unauthorized: (error: ApiError) => void = () => undefined;

export const setCsrfToken = (token: string): void => {
  csrfToken = token;
};

/** What to do when a call answers 401 (session expired): the app shows the sign-in form. */
export const onUnauthorized = (handler: (error: ApiError) => void): void => {
  unauthorized = handler;
};

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown };
}

/**
 * Calls the API. `quiet401`: a 401 is an answer, not the session ending (the session probe, sign-in calls).
 */
export async function api<T>(method: Method, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Không kết nối được với máy chủ. Hãy kiểm tra mạng rồi thử lại.');
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const e = (data as ErrorBody | undefined)?.error;
    const error = new ApiError(
      response.status,
      typeof e?.code === 'string' ? e.code : `HTTP_${response.status}`,
      typeof e?.message === 'string' ? e.message : `Máy chủ trả lời không như mong đợi (mã ${response.status}). Vui lòng thử lại.`,
      e?.details,
      typeof e?.requestId === 'string' ? e.requestId : undefined,
    );
    if (response.status === 401 && !opts.quiet401) unauthorized(error);
    throw error;
  }
  return data as T;
}

/** `/api/clusters/{clusterId}` + the rest, each segment encoded. */
export const clusterPath = (clusterId: string, ...rest: string[]): string =>
  ['/api/clusters', clusterId, ...rest].map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
