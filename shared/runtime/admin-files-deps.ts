/** Cold-start wiring for admin routes that touch stored files. */
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { S3FileStore, createS3Client } from '../adapters/s3/file-store';
import { AdminAuthEnvSchema, FilesEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import { createDocumentClient } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape).extend(AdminAuthEnvSchema.shape));
const clock = clockFromEnv();

export const authEnv = env;
export const adminFilesDeps = {
  repos: createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock),
  files: new S3FileStore(createS3Client({ endpoint: env.S3_ENDPOINT }), { bucket: env.BUCKET_NAME, endpoint: env.S3_ENDPOINT }),
  clock,
};
