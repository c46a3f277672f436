/**
 * S3 ObjectCreated (uploads/ prefix): records each file once, checks it, emails the receipt. An error is thrown back
 * to Lambda so the asynchronous invocation is retried; the use case makes a retry finish only what was unfinished.
 */
import type { S3Event } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../../shared/runtime/logger';
import { recorderDeps } from '../../shared/runtime/recorder-deps';
import { recordUpload } from '../../shared/use-cases/record-upload';

const S3EventSchema = z.object({
  Records: z.array(
    z.object({
      eventTime: z.iso.datetime({ offset: true }),
      s3: z.object({ object: z.object({ key: z.string().min(1) }) }),
    }),
  ),
});

/** S3 event keys are URL-encoded with '+' for spaces. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export const handler = async (event: S3Event): Promise<void> => {
  const { Records } = S3EventSchema.parse(event);
  for (const record of Records) {
    const result = await recordUpload(recorderDeps, {
      objectKey: decodeS3Key(record.s3.object.key),
      receivedAt: new Date(record.eventTime),
    });
    if (result.outcome === 'ignored') logger.warn('object not recorded', { reason: result.reason });
  }
};
