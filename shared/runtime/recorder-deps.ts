/** Cold-start wiring for the upload recorder (S3 object-created events). */
import { createDynamoRepositories } from '../adapters/dynamodb/repositories';
import { S3FileStore, createS3Client } from '../adapters/s3/file-store';
import { SesMailer, createSesClient } from '../adapters/ses/mailer';
import { FilesEnvSchema, MailEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { RecordDeps } from '../use-cases/record-upload';
import { createDocumentClient } from './aws-clients';
import { logger } from './logger';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape).extend(MailEnvSchema.shape));
const clock = clockFromEnv();

export const recorderDeps: RecordDeps = {
  repos: createDynamoRepositories(createDocumentClient(env), env.TABLE_NAME, clock),
  files: new S3FileStore(createS3Client({ endpoint: env.S3_ENDPOINT }), { bucket: env.BUCKET_NAME, endpoint: env.S3_ENDPOINT }),
  mailer: new SesMailer(createSesClient({ endpoint: env.SES_ENDPOINT }), {
    from: env.MAIL_FROM,
    configurationSet: env.SES_CONFIGURATION_SET,
  }),
  clock,
  log: {
    warn: (message, fields) => logger.warn(message, { ...fields }),
    info: (message, fields) => logger.info(message, { ...fields }),
  },
};
