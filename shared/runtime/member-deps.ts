/** Cold-start wiring for the member link handlers (page, upload form, upload state). */
import { fileStoreFromEnv } from '../adapters/s3/file-store';
import { FilesEnvSchema, LinkSecretEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { Repositories } from '../ports/repositories';
import type { MemberDeps } from '../use-cases/member-uploads';
import { repositoriesFromEnv } from './aws-clients';
import { linkKeysFromEnv } from './link-keys';

const env = parseEnv(TableEnvSchema.extend(FilesEnvSchema.shape));
const clock = clockFromEnv();

/** Every repository, though the member use cases read only a few: the calendar feeds also need the feed version store. */
export const memberDeps: MemberDeps & { repos: Repositories } = {
  repos: repositoriesFromEnv(env, clock),
  files: fileStoreFromEnv(env),
  linkKeys: linkKeysFromEnv(parseEnv(LinkSecretEnvSchema)),
  clock,
  maxUploadBytes: env.MAX_UPLOAD_BYTES,
};
