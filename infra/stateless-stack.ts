import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { HttpRoute } from '../functions/routes';
import { ProjectHttpApi, type ApiRouteBinding } from './constructs/http-api';
import { ProjectFunction } from './constructs/project-function';

export interface StatelessStackProps extends StackProps {
  /** The single table (from the stateful stack). */
  readonly table: ITable;
  /** The uploads bucket (from the stateful stack); no route uses it yet. */
  readonly uploadsBucket: IBucket;
  /** The HTTP routes, one function each (`httpRoutes` from functions/routes.ts). */
  readonly routes: readonly HttpRoute[];
  /**
   * SHA-256 (lowercase hex) of the admin API key, given to every API function as `ADMIN_API_KEY_SHA256`.
   * @default - not set: the admin read routes refuse every request
   */
  readonly adminApiKeySha256?: string;
}

/** Code: the API and its functions. Can be destroyed and redeployed at will; it holds no data. */
export class StatelessStack extends Stack {
  public readonly api: ProjectHttpApi;
  /** The route functions, by route id. */
  public readonly functions: ReadonlyMap<string, ProjectFunction>;
  public readonly uploadsBucket: IBucket;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.uploadsBucket = props.uploadsBucket;

    const environment: Record<string, string> = props.adminApiKeySha256
      ? { ADMIN_API_KEY_SHA256: props.adminApiKeySha256 }
      : {};

    const functions = new Map<string, ProjectFunction>();
    const bindings: ApiRouteBinding[] = [];
    for (const route of props.routes) {
      const handler = new ProjectFunction(this, `${route.id}Function`, {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        table: props.table,
        tableAccess: route.tableAccess,
        environment,
      });
      functions.set(route.id, handler);
      bindings.push({ id: route.id, method: route.method, path: route.path, handler });
    }
    this.functions = functions;

    this.api = new ProjectHttpApi(this, 'HttpApi', { routes: bindings });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the HTTP API' });
  }
}
