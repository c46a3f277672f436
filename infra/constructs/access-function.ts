import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { FunctionAccess } from '../../functions/routes';
import { applyFunctionAccess, type FunctionAccessResources } from './function-access';
import { ProjectFunction, type ProjectFunctionProps } from './project-function';

export interface AccessFunctionProps extends Omit<ProjectFunctionProps, 'entry' | 'table' | 'tableAccess'> {
  /** The route function or event handler as functions/routes.ts declares it: its entry and access fields. */
  readonly declaration: FunctionAccess & { readonly entry: string };
  /**
   * The single table. The function gets it (`TABLE_NAME` and the grant of its level) only when the declaration has
   * `tableAccess`.
   */
  readonly table: ITable;
  /** What the other access fields refer to (bucket, secret, sender, schedules, reminder queue). */
  readonly resources: FunctionAccessResources;
}

/**
 * A ProjectFunction whose rights follow from its declaration alone: the table at the declared level (nothing, not even
 * `TABLE_NAME`, without `tableAccess`), then the environment and least-privilege grants of every other access field
 * (applyFunctionAccess). Every function of the app is one of these.
 */
export class AccessFunction extends ProjectFunction {
  constructor(scope: Construct, id: string, props: AccessFunctionProps) {
    const { declaration, table, resources, ...functionProps } = props;
    super(scope, id, {
      ...functionProps,
      entry: declaration.entry,
      ...(declaration.tableAccess ? { table, tableAccess: declaration.tableAccess } : {}),
    });
    applyFunctionAccess(this, declaration, resources);
  }
}
