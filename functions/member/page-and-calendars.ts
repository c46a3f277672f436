/**
 * The MemberPage function: the read-only routes of a link, one function because they need the same rights (read the
 * table, the link secret, the app's origin) and the calendar code is small: GET /u/{token} (the unit's page), GET
 * /u/{token}/calendar.ics (its calendar) and GET /cal/{token}/calendar.ics (a cluster's calendar for its admins).
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { clusterCalendarHandler, unitCalendarHandler } from './calendar';
import { handler as memberPage } from './get-page';

export const UNIT_CALENDAR_ROUTE = 'GET /u/{token}/calendar.ics';
export const CLUSTER_CALENDAR_ROUTE = 'GET /cal/{token}/calendar.ics';

export const handler = (event: APIGatewayProxyEventV2, context: Context) => {
  switch (event.routeKey) {
    case UNIT_CALENDAR_ROUTE:
      return unitCalendarHandler(event, context);
    case CLUSTER_CALENDAR_ROUTE:
      return clusterCalendarHandler(event, context);
    default:
      return memberPage(event, context);
  }
};
