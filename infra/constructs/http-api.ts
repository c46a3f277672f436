import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One route of the API and the function behind it. */
export interface ApiRouteBinding {
  /** Stable PascalCase id, used for the route's construct id. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** HTTP API path with `{param}` placeholders. */
  readonly path: string;
  readonly handler: IFunction;
}

/**
 * What the access log records. Deliberately NOT `$context.path` nor the query string: member links carry secret
 * tokens in the path, and an access log is read by more people than the data it protects. The route key holds the
 * path template (`GET /api/clusters/{clusterId}/units`), which is enough to tell requests apart.
 * JSON, so that Logs Insights can query it (cdk-nag AwsSolutions structured logging).
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
 * The public HTTP API: one route per binding, a `$default` stage with throttling and JSON access logs.
 * No API Gateway authorizer: authentication happens in the handlers (admin key hash now, per-unit member link
 * tokens later), see the acknowledgement below.
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
    for (const binding of props.routes) {
      const routeKey = `${binding.method} ${binding.path}`;
      if (seen.has(routeKey)) throw new Error(`${id}: duplicate route ${routeKey}`);
      seen.add(routeKey);

      const route = new apigwv2.HttpRoute(this, `${binding.id}Route`, {
        httpApi: this.httpApi,
        routeKey: apigwv2.HttpRouteKey.with(binding.path, apigwv2.HttpMethod[binding.method]),
        integration: new HttpLambdaIntegration(`${binding.id}Integration`, binding.handler),
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorisation is done in the handler, not by an API Gateway authorizer: the admin read routes compare ' +
          'the SHA-256 of the x-api-key header in constant time with ADMIN_API_KEY_SHA256 and refuse every request ' +
          'when it is unset (shared/http/admin-auth.ts); member routes will check their secret per-unit link ' +
          'tokens the same way. An authorizer would duplicate that logic and add a Lambda hop per request.',
      });
      routes.set(binding.id, route);
    }
    this.routes = routes;
  }

  /** The invoke URL of the default stage. */
  public get url(): string {
    return this.stage.url;
  }
}
