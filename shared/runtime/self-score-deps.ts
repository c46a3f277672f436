/**
 * Cold-start wiring for the self-score handlers (form, printable copy, save). Not part of member-deps.ts: those
 * functions get no bucket (no BUCKET_NAME, functions/routes.ts), and member-deps parses the bucket's settings and
 * builds the S3 client at import, which would fail here and weigh on the bundle for nothing.
 */
import { LinkSecretEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { SelfScoreDeps } from '../use-cases/self-score';
import { repositoriesFromEnv } from './aws-clients';
import { linkKeysFromEnv } from './link-keys';

const env = parseEnv(TableEnvSchema);
const clock = clockFromEnv();

export const selfScoreDeps: SelfScoreDeps = {
  repos: repositoriesFromEnv(env, clock),
  linkKeys: linkKeysFromEnv(parseEnv(LinkSecretEnvSchema)),
  clock,
};
