/**
 * Cold-start wiring for the read API handlers: env parsed once, one DynamoDB client per container.
 */
import { AdminAuthEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import { repositoriesFromEnv } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(AdminAuthEnvSchema.shape));

export const authEnv = env;
export const repositories = repositoriesFromEnv(env, clockFromEnv());
