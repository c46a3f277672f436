/**
 * Sign-in endpoints: request a one-time link by email, open a session with it, read or close the session.
 * The session id travels only in an HttpOnly, Secure, SameSite=Strict cookie.
 */
import { clearedSessionCookie, sessionCookie } from '../../shared/domain/admin';
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import { correlationIdOf } from '../../shared/http/middleware';
import { authDepsFromEnv } from '../../shared/runtime/admin-deps';
import { describeSession, openSession, requestSignIn, signOut } from '../../shared/use-cases/admin-auth';

const deps = authDepsFromEnv();

export const handler = adminRouter<'auth'>(
  adminEndpoints.filter((e) => e.fn === 'auth'),
  {
    RequestSignIn: async ({ body, event }) => ({
      body: await requestSignIn(deps, { email: body.email, clientIp: event.requestContext.http.sourceIp, correlationId: correlationIdOf(event) }),
    }),
    OpenSession: async ({ body, requestId }) => {
      const opened = await openSession(deps, body.token, requestId);
      return { body: await describeSession(deps, opened.session, opened.grants), cookies: [sessionCookie(opened.sessionId)] };
    },
    GetSession: async ({ principal }) => {
      if (principal.kind !== 'session') throw new Error('unreachable: session endpoints refuse API keys');
      return { body: await describeSession(deps, principal) };
    },
    SignOut: async ({ principal }) => {
      if (principal.kind === 'session') await signOut(deps, principal);
      return { cookies: [clearedSessionCookie()] };
    },
  },
  { deps, checkResponses: deps.checkResponses },
);
