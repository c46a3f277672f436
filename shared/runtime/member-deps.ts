/** Cold-start wiring for the member link handlers (page, upload form, upload state). */
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { S3FileStore, createS3Client } from '../adapters/s3/file-store';
import { FilesEnvSchema, LinkSecretEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { MemberDeps } from '../use-cases/member-uploads';
import { createDocumentClient } from './aws-clients';
import { linkKeysFromEnv } from './link-keys';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape));
const clock = clockFromEnv();

export const memberDeps: MemberDeps = {
  repos: createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock),
  files: new S3FileStore(createS3Client({ endpoint: env.S3_ENDPOINT }), { bucket: env.BUCKET_NAME, endpoint: env.S3_ENDPOINT }),
  linkKeys: linkKeysFromEnv(parseEnv(LinkSecretEnvSchema)),
  clock,
  maxUploadBytes: env.MAX_UPLOAD_BYTES,
};
