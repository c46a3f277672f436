/** The link-signing keys for this container, from Secrets Manager (AWS) or a local file. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fileLinkKeys, secretsManagerLinkKeys } from '../adapters/secrets/link-keys';
import type { LinkSecretEnv } from '../config';
import type { LinkKeyStore } from '../ports/link-keys';
import { observeClient } from '../adapters/sdk-calls';

export function linkKeysFromEnv(env: LinkSecretEnv): LinkKeyStore {
  if (env.LINK_SECRET_ARN) return secretsManagerLinkKeys(observeClient(new SecretsManagerClient({}), 'secretsmanager'), env.LINK_SECRET_ARN);
  return fileLinkKeys(env.LINK_SECRET_FILE as string);
}
