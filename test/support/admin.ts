/**
 * Signing in from tests: a sign-in link made directly in the table (as `npm run cli -- admin-link` does), spent
 * through the real endpoint, giving the cookie and CSRF token a browser would hold.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { toDocumentClient } from '../../shared/runtime/aws-clients';
import { offsetClock, type Clock } from '../../shared/ports/clock';
import { createApiKey, createSignInLink } from '../../shared/use-cases/admin-auth';
import type { StackInfo } from '../../local/stack';
import { LOCAL_CREDENTIALS } from '../../local/emulators';

/** The stack's repositories on the stack's (simulated) clock. */
export function stackRepos(stack: StackInfo) {
  const clock: Clock = stack.clock ? offsetClock(stack.clock.start, stack.clock.startedAt) : { now: () => new Date() };
  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  return { repos: createDynamoRepositories(toDocumentClient(client), stack.tableName, clock), clock, close: () => client.destroy() };
}

/** A sign-in URL (`…/admin/dang-nhap#t=…`) for an admin address, or undefined if it has no grant. */
export async function signInUrlFor(stack: StackInfo, email: string): Promise<string | undefined> {
  const { repos, clock, close } = stackRepos(stack);
  try {
    return (await createSignInLink({ repos, clock, baseUrl: stack.apiUrl }, email))?.url;
  } finally {
    close();
  }
}

export interface AdminSession {
  cookie: string;
  csrfToken: string;
  email: string;
  /** Headers for fetch: the cookie, the CSRF token, JSON. */
  headers: Record<string, string>;
}

/** Opens a session for `email` through POST /api/auth/sessions. */
export async function signIn(stack: StackInfo, email: string): Promise<AdminSession> {
  const url = await signInUrlFor(stack, email);
  if (!url) throw new Error(`${email} has no admin grant`);
  const token = new URL(url).hash.replace(/^#t=/, '');
  const res = await fetch(`${stack.apiUrl}/api/auth/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.getSetCookie()[0] ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken, email, headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' } };
}

/** A cluster API key made directly in the table. */
export async function apiKeyFor(stack: StackInfo, clusterId: string, name = 'test'): Promise<string> {
  const { repos, clock, close } = stackRepos(stack);
  try {
    return (await createApiKey({ repos, clock }, { clusterId, name, createdBy: 'test' })).key;
  } finally {
    close();
  }
}
