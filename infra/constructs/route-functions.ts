import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { HttpRoute } from '../../functions/routes';
import { AccessFunction } from './access-function';
import type { FunctionAccessResources } from './function-access';
import type { ApiRouteBinding, ApiThrottle } from './http-api';
import type { ProjectFunction } from './project-function';

/** The routes served by one function: `functionId ?? id` (functions/routes.ts). */
export interface RouteFunctionGroup {
  /** The function's id: the construct id is `<functionId>Function`. */
  readonly functionId: string;
  /** Its routes, in the order of `routes`; every one declares the same entry and access fields. */
  readonly routes: readonly HttpRoute[];
}

/** Route fields that may differ between the routes of one function; all the others must be the same. */
const PER_ROUTE_FIELDS: ReadonlySet<string> = new Set(['id', 'functionId', 'method', 'path']);

/**
 * Groups `routes` by function (`functionId ?? id`), in order of first appearance, and checks that the routes of a
 * group agree on the entry and every access field: one function has one role and one environment, so a route that
 * declared more (or less) would silently get the others' rights. An absent boolean and `false` count as the same.
 * Throws an Error naming the function, the two routes and the field otherwise.
 */
export function groupRoutesByFunction(routes: readonly HttpRoute[]): RouteFunctionGroup[] {
  const groups = new Map<string, HttpRoute[]>();
  for (const route of routes) {
    const functionId = route.functionId ?? route.id;
    const group = groups.get(functionId);
    if (group) group.push(route);
    else groups.set(functionId, [route]);
  }
  const declared = (route: HttpRoute): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(route).filter(([key, value]) => !PER_ROUTE_FIELDS.has(key) && value !== undefined && value !== false),
    );
  for (const [functionId, members] of groups) {
    const [first, ...others] = members;
    const expected = declared(first!);
    for (const other of others) {
      const actual = declared(other);
      const fields = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
      const differing = fields.filter((field) => JSON.stringify(expected[field]) !== JSON.stringify(actual[field]));
      if (differing.length > 0) {
        throw new Error(
          `Routes ${first!.id} and ${other.id} share the function ${functionId} but declare different ` +
            `${differing.map((f) => `${f} (${JSON.stringify(expected[f])} / ${JSON.stringify(actual[f])})`).join(', ')}: ` +
            'the routes of one function must declare the same entry and access fields',
        );
      }
    }
  }
  return [...groups].map(([functionId, members]) => ({ functionId, routes: members }));
}

export interface RouteFunctionsProps {
  /**
   * The HTTP routes (`httpRoutes` from functions/routes.ts): one function per distinct `functionId ?? id`, shared by
   * the routes that name it (groupRoutesByFunction checks that they agree).
   */
  readonly routes: readonly HttpRoute[];
  /** The single table, for the functions whose routes declare `tableAccess`. */
  readonly table: ITable;
  /** What the routes' access fields refer to. */
  readonly resources: FunctionAccessResources;
  /**
   * Throttles of single routes, by route id, passed on in `bindings`. A key that names no route is an error, so that a
   * renamed route cannot silently lose its throttle.
   * @default - none: every route has the stage's default throttle
   */
  readonly throttles?: Readonly<Record<string, ApiThrottle>>;
  /**
   * `MAX_UPLOAD_BYTES` of the functions that build or sign upload forms (`bucketAccess: 'upload'` or `bucketName`),
   * already checked by the caller.
   * @default - not set: the functions apply their default, 25 MB (shared/config.ts)
   */
  readonly maxUploadBytes?: number;
}

/**
 * The functions behind the HTTP routes: one AccessFunction (`<functionId>Function`) per function id, with the rights
 * its routes declare and their `timeoutSeconds`, and the route bindings the HTTP API (ProjectHttpApi) takes. The
 * description of a single-route function is its route (`GET /u/{token}`).
 */
export class RouteFunctions extends Construct {
  /** Every route function, by function id (`functionId ?? id`), in the order of the routes. */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  /** The function behind each route, by route id (several routes may map to the same function). */
  public readonly routeFunctions: ReadonlyMap<string, ProjectFunction>;
  /** One binding per route, in the order of `routes`, with its throttle when it has one. */
  public readonly bindings: readonly ApiRouteBinding[];

  constructor(scope: Construct, id: string, props: RouteFunctionsProps) {
    super(scope, id);
    const throttles = props.throttles ?? {};
    const functions = new Map<string, ProjectFunction>();
    const routeFunctions = new Map<string, ProjectFunction>();
    const bindings: ApiRouteBinding[] = [];
    for (const { functionId, routes } of groupRoutesByFunction(props.routes)) {
      const first = routes[0]!;
      const handler = new AccessFunction(this, `${functionId}Function`, {
        declaration: first,
        table: props.table,
        resources: props.resources,
        description:
          routes.length === 1 ? `${first.method} ${first.path}` : `${functionId}: ${routes.length} routes of the HTTP API (${first.entry})`,
        ...(first.timeoutSeconds ? { timeout: Duration.seconds(first.timeoutSeconds) } : {}),
      });
      if (props.maxUploadBytes !== undefined && (first.bucketAccess === 'upload' || first.bucketName)) {
        handler.addEnvironment('MAX_UPLOAD_BYTES', String(props.maxUploadBytes));
      }
      functions.set(functionId, handler);
      for (const route of routes) {
        routeFunctions.set(route.id, handler);
        bindings.push({
          id: route.id,
          functionId,
          method: route.method,
          path: route.path,
          handler,
          ...(throttles[route.id] ? { throttle: throttles[route.id] } : {}),
        });
      }
    }
    const unknownThrottles = Object.keys(throttles).filter((routeId) => !routeFunctions.has(routeId));
    if (unknownThrottles.length > 0) throw new Error(`${this.node.path}: route throttles name no route: ${unknownThrottles.join(', ')}`);
    this.functions = functions;
    this.routeFunctions = routeFunctions;
    this.bindings = bindings;
  }
}
