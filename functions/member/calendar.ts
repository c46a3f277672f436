/**
 * GET /u/{token}/calendar.ics (a unit's feed, through its member link) and GET /cal/{token}/calendar.ics (a cluster's
 * feed, through a feed link issued on the admin page). Calendar apps read these, not people: text/calendar inline,
 * cacheable for a few minutes by the client only (private: the URL is a secret). A bad link answers in plain
 * Vietnamese text with the member page's statuses: 404 forged or unknown, 410 revoked or expired.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CALENDAR_CONTENT_TYPE } from '../../shared/domain/calendar';
import { DomainError } from '../../shared/domain/errors';
import { mapError } from '../../shared/http/errors';
import { requestLogging } from '../../shared/http/middleware';
import { logger } from '../../shared/runtime/logger';
import { calendarDepsFromEnv } from '../../shared/runtime/calendar-deps';
import { memberDeps } from '../../shared/runtime/member-deps';
import { getClusterCalendar, getUnitCalendar, type CalendarFile } from '../../shared/use-cases/calendar-feeds';

/** Subscriptions refetch every few hours; a short private cache spares repeated fetches of one client. */
export const CALENDAR_CACHE_CONTROL = 'private, max-age=300';

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow' };

const UNAVAILABLE = 'Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.';

function textResponse(statusCode: number, text: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...COMMON_HEADERS }, body: `${text}\n` };
}

function calendarResponse(file: CalendarFile): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': CALENDAR_CONTENT_TYPE,
      // The file name is made of slugs (ASCII, no quote), so no filename* is needed.
      'content-disposition': `inline; filename="${file.fileName}"`,
      'cache-control': CALENDAR_CACHE_CONTROL,
      ...COMMON_HEADERS,
    },
    body: file.body,
  };
}

/** A feed route: the calendar, or a refusal in plain text (never a stack trace, never the token in a log line). */
function calendarHandler(load: (token: string) => Promise<CalendarFile>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(requestLogging())
    .use({
      onError: async (request) => {
        const error = request.error;
        if (error instanceof DomainError) {
          const { statusCode } = mapError(error);
          logger.info('calendar refused', { code: error.code, status: statusCode });
          request.response = textResponse(statusCode === 410 ? 410 : 404, error.messageVi);
          return;
        }
        logger.error('calendar failed', { error: error ?? undefined });
        request.response = textResponse(500, UNAVAILABLE);
      },
    })
    .handler(async (event) => calendarResponse(await load(event.pathParameters?.token ?? '')));
}

const deps = calendarDepsFromEnv(memberDeps);

export const unitCalendarHandler = calendarHandler((token) => getUnitCalendar(deps, token));
export const clusterCalendarHandler = calendarHandler((token) => getClusterCalendar(deps, token));
