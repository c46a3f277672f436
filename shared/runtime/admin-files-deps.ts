/** Cold-start wiring for admin routes that touch stored files. */
import { fileStoreFromEnv } from '../adapters/s3/file-store';
import { AdminAuthEnvSchema, FilesEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import { repositoriesFromEnv } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape).extend(AdminAuthEnvSchema.shape));
const clock = clockFromEnv();

export const authEnv = env;
export const adminFilesDeps = {
  repos: repositoriesFromEnv(env, clock),
  files: fileStoreFromEnv(env),
  clock,
};
