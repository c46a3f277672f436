/**
 * Where the link-signing keys come from: Secrets Manager in AWS (read once per cold start), a file under .local/
 * on a developer's machine. The secret is either one random string (key id 1) or, after a rotation, JSON
 * `{"keys":[{"id":2,"secret":"..."},{"id":1,"secret":"..."}]}` with the signing key first.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { LinkKey } from '../../domain/link-token';
import type { LinkKeyStore } from '../../ports/link-keys';

const RotatedSecretSchema = z.object({
  keys: z.array(z.object({ id: z.number().int().min(1), secret: z.string().min(32) })).min(1),
});

/** Parses the secret's text into keys; a secret shorter than 32 characters is refused. */
export function parseLinkSecret(text: string): LinkKey[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    return RotatedSecretSchema.parse(JSON.parse(trimmed)).keys.map((k) => ({ id: k.id, secret: Buffer.from(k.secret, 'utf8') }));
  }
  if (trimmed.length < 32) throw new Error('The link secret is too short (at least 32 characters)');
  return [{ id: 1, secret: Buffer.from(trimmed, 'utf8') }];
}

/** Caches the first successful read for the life of the container; a failed read is retried next time. */
function cached(load: () => Promise<LinkKey[]>): LinkKeyStore {
  let pending: Promise<LinkKey[]> | undefined;
  return {
    keys: () => {
      pending ??= load().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}

export function secretsManagerLinkKeys(client: SecretsManagerClient, secretArn: string): LinkKeyStore {
  return cached(async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!out.SecretString) throw new Error('The link secret has no string value');
    return parseLinkSecret(out.SecretString);
  });
}

export function fileLinkKeys(path: string): LinkKeyStore {
  return cached(async () => parseLinkSecret(readFileSync(path, 'utf8')));
}
