import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Steady-state rate (requests per second) and burst of a throttle. */
export interface ApiThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** One route of the API and the function behind it. */
export interface ApiRouteBinding {
  /** Stable PascalCase id, used for the route's construct id (`<id>Route`). */
  readonly id: string;
  /**
   * The function's id: routes with the same function id share one integration (`<functionId>Integration`, created
   * under the first such route) and must have the same handler.
   * @default - the route's own id
   */
  readonly functionId?: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** HTTP API path with `{param}` placeholders. */
  readonly path: string;
  readonly handler: IFunction;
  /**
   * A throttle of this route alone, in the stage's route settings (lower than the stage's default).
   * @default - the stage's default throttle
   */
  readonly throttle?: ApiThrottle;
}

/**
 * What the access log records. Deliberately NOT the path (`$context.path`), the raw request line, the query string,
 * any header or cookie: member links carry secret tokens in the path, sign-in links a one-time token, admin requests a
 * session cookie or an `Authorization: Bearer` API key, and an access log is read by more people than the data it
 * protects. The route key holds the path template (`GET /api/clusters/{clusterId}/units`), which is enough to tell
 * requests apart. JSON, so that Logs Insights can query it (cdk-nag AwsSolutions structured logging).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  ip: '$context.identity.sourceIp',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorType: '$context.error.responseType',
};

export interface ProjectHttpApiProps {
  /** The routes, one Lambda integration each. */
  readonly routes: readonly ApiRouteBinding[];
  /**
   * Steady-state request rate limit of the default stage (requests per second).
   * @default 20
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst limit of the default stage.
   * @default 50
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/**
 * Why no route has an API Gateway authorizer (cdk-nag AwsSolutions-APIG4, acknowledged on each route): every route is
 * either authenticated in its handler or public on purpose.
 */
export const NO_AUTHORIZER_REASON =
  'Authentication is done in the handlers, not by an API Gateway authorizer. Admin routes (/api/...): the router ' +
  '(shared/http/admin-router.ts) accepts the __Host- session cookie (HttpOnly, Secure, SameSite=Strict, session ' +
  'stored hashed in DynamoDB) or an Authorization Bearer API key of one cluster (stored as a SHA-256 hash), checks ' +
  'the x-csrf-token on every write made with a cookie, and checks the principal\'s access to the {clusterId} of the ' +
  'path. Member routes (/u/{token}..., the unit\'s calendar /u/{token}/calendar.ics among them): HMAC-signed link ' +
  'tokens, checked against the unit\'s link version. The cluster calendar feed (/cal/{token}/calendar.ics): a link ' +
  'token signed with a key derived for feeds only, checked against the plan\'s feed version (revocable). Public on ' +
  'purpose: the sign-in request (rate-limited per email address and per client IP in DynamoDB, and throttled on ' +
  'this stage), opening a session with a one-time sign-in token, the admin page shell and its static assets, and the ' +
  'OpenAPI document. An authorizer would duplicate the router\'s checks and add a Lambda hop per request.';

/**
 * The public HTTP API: one route per binding, one Lambda integration per function (shared by its routes), a
 * `$default` stage with default throttling, per-route throttles and JSON access logs. No API Gateway authorizer:
 * authentication happens in the handlers (NO_AUTHORIZER_REASON).
 */
export class ProjectHttpApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  /** The routes, by binding id. */
  public readonly routes: ReadonlyMap<string, apigwv2.HttpRoute>;

  constructor(scope: Construct, id: string, props: ProjectHttpApiProps) {
    super(scope, id);

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      description: 'Cụm thi đua back office API',
      // The default stage that HttpApi would create cannot take throttling or access logs: create it below.
      createDefaultStage: false,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? 20,
        burstLimit: props.throttlingBurstLimit ?? 50,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const seen = new Set<string>();
    const routes = new Map<string, apigwv2.HttpRoute>();
    const integrations = new Map<string, { integration: HttpLambdaIntegration; handler: IFunction }>();
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const binding of props.routes) {
      const routeKey = `${binding.method} ${binding.path}`;
      if (seen.has(routeKey)) throw new Error(`${id}: duplicate route ${routeKey}`);
      seen.add(routeKey);

      // One integration per function: its routes share it. The Lambda permission is still added per route (scoped
      // to the route's path), by HttpLambdaIntegration on each bind.
      const functionId = binding.functionId ?? binding.id;
      let shared = integrations.get(functionId);
      if (!shared) {
        shared = { integration: new HttpLambdaIntegration(`${functionId}Integration`, binding.handler), handler: binding.handler };
        integrations.set(functionId, shared);
      } else if (shared.handler !== binding.handler) {
        throw new Error(`${id}: route ${binding.id} has function id ${functionId} but another handler than its other routes`);
      }

      const route = new apigwv2.HttpRoute(this, `${binding.id}Route`, {
        httpApi: this.httpApi,
        routeKey: apigwv2.HttpRouteKey.with(binding.path, apigwv2.HttpMethod[binding.method]),
        integration: shared.integration,
      });
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: NO_AUTHORIZER_REASON });
      routes.set(binding.id, route);

      if (binding.throttle) {
        routeSettings[routeKey] = {
          ThrottlingRateLimit: binding.throttle.rateLimit,
          ThrottlingBurstLimit: binding.throttle.burstLimit,
        };
        // CloudFormation refuses route settings for a route key the API does not have yet.
        this.stage.node.addDependency(route);
      }
    }
    if (Object.keys(routeSettings).length > 0) {
      // HttpStage has no route settings: the L1 property, keyed by route key. The stage's defaults stay as they are.
      (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeSettings;
    }
    this.routes = routes;
  }

  /** The invoke URL of the default stage. */
  public get url(): string {
    return this.stage.url;
  }
}
