/**
 * S3 adapter for the FileStore port. The same code runs against s3rver locally (path-style endpoint).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileStore, InspectedObject, PresignedUpload } from '../../ports/files';
import { observeClient } from '../sdk-calls';

export interface S3Settings {
  bucket: string;
  /** Local only: s3rver. */
  endpoint?: string;
  region?: string;
}

export function createS3Client(
  settings: Pick<S3Settings, 'endpoint' | 'region'> & { credentials?: { accessKeyId: string; secretAccessKey: string } },
): S3Client {
  const client = new S3Client({
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    // Without these, streamed uploads get aws-chunked framing and presigned URLs carry an empty-body checksum.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return observeClient(client, 's3');
}

/** The file store of a handler, from its parsed configuration (BUCKET_NAME, S3_ENDPOINT locally). */
export function fileStoreFromEnv(env: { BUCKET_NAME: string; S3_ENDPOINT?: string }): S3FileStore {
  return new S3FileStore(createS3Client({ endpoint: env.S3_ENDPOINT }), { bucket: env.BUCKET_NAME, endpoint: env.S3_ENDPOINT });
}

export class S3FileStore implements FileStore {
  readonly uploadOrigin: string;

  constructor(private readonly client: S3Client, private readonly settings: S3Settings) {
    this.uploadOrigin = settings.endpoint
      ? new URL(settings.endpoint).origin
      : `https://${settings.bucket}.s3.${settings.region ?? process.env.AWS_REGION}.amazonaws.com`;
  }

  async presignUpload(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<PresignedUpload> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.settings.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, options.maxBytes],
        ['eq', '$Content-Type', options.contentType],
      ],
      Fields: { 'Content-Type': options.contentType },
      Expires: options.expiresInSeconds,
    });
    return { url, fields };
  }

  async inspect(key: string, options: { headBytes: number }): Promise<InspectedObject | undefined> {
    let body: Readable;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      body = out.Body as Readable;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (headLength < options.headBytes) {
        const part = chunk.subarray(0, options.headBytes - headLength);
        head.push(part);
        headLength += part.length;
      }
    }
    return { size, sha256: hash.digest('hex'), head: new Uint8Array(Buffer.concat(head)) };
  }

  async move(key: string, toKey: string): Promise<boolean> {
    const encoded = key.split('/').map(encodeURIComponent).join('/');
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.settings.bucket, Key: toKey, CopySource: `${this.settings.bucket}/${encoded}` }));
    } catch (error) {
      // Without s3:ListBucket (deliberately not granted), S3 reports a missing source as 403, not 404. The mover
      // holds s3:GetObject on the source prefix, so a 403 here means the object is no longer there.
      if (isMissing(error) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) return false;
      throw error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    return true;
  }

  presignDownload(key: string, options: { contentDisposition: string; expiresInSeconds: number }): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, ResponseContentDisposition: options.contentDisposition }),
      { expiresIn: options.expiresInSeconds },
    );
  }
}

/** S3 reports a missing source as NoSuchKey (GetObject) or a 404 (CopyObject on some servers). */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return error instanceof NoSuchKey || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
