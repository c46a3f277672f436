/**
 * Cold-start wiring for the read API handlers: env parsed once, one DynamoDB client per container.
 */
import { AdminAuthEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { createDocumentClient } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(AdminAuthEnvSchema.shape));

export const authEnv = env;
export const repositories = createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clockFromEnv());
