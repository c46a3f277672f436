/** Cold-start wiring for the upload recorder (S3 object-created events). */
import { fileStoreFromEnv } from '../adapters/s3/file-store';
import { mailerFromEnv } from '../adapters/ses/mailer';
import { FilesEnvSchema, MailEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { RecordDeps } from '../use-cases/record-upload';
import { repositoriesFromEnv } from './aws-clients';
import { logger } from './logger';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape).extend(MailEnvSchema.shape));
const clock = clockFromEnv();

export const recorderDeps: RecordDeps = {
  repos: repositoriesFromEnv(env, clock),
  files: fileStoreFromEnv(env),
  mailer: mailerFromEnv(env),
  clock,
  log: {
    warn: (message, fields) => logger.warn(message, { ...fields }),
    info: (message, fields) => logger.info(message, { ...fields }),
    setCorrelationId: (id) => logger.setCorrelationId(id),
  },
};
