/** Stored records built for tests, as the application would have written them. */
import { randomUUID } from 'node:crypto';
import { SubmissionSchema, type Submission } from '../../shared/domain/submission';

/** A fixed, valid upload id numbered `n`, for fixtures that must come out the same on every run. */
export const numberedUploadId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export interface SubmissionRecordInput extends Pick<Submission, 'clusterId' | 'planId' | 'milestoneId' | 'unitId'> {
  /** An instant (an ISO string with its offset, or a Date). */
  receivedAt: string | Date;
  /** @default false */
  late?: boolean;
  /** @default 'accepted' */
  outcome?: Submission['outcome'];
  /** @default a random UUID */
  uploadId?: string;
  /** @default `${milestoneId}.pdf` */
  fileName?: string;
  /** @default 2048 */
  size?: number;
}

/**
 * A PDF upload as the recorder stores it once its receipt went out (`receipt: 'sent'`), under its usual object key;
 * a quarantined one carries the reason the member page shows.
 */
export function submissionRecord(input: SubmissionRecordInput): Submission {
  const { clusterId, planId, milestoneId, unitId, receivedAt, late = false, outcome = 'accepted', uploadId = randomUUID() } = input;
  return SubmissionSchema.parse({
    clusterId,
    planId,
    milestoneId,
    unitId,
    uploadId,
    objectKey: `uploads/${clusterId}/${planId}/${milestoneId}/${unitId}/${uploadId}`,
    fileName: input.fileName ?? `${milestoneId}.pdf`,
    contentType: 'application/pdf',
    size: input.size ?? 2048,
    sha256: 'a'.repeat(64),
    receivedAt: new Date(receivedAt).toISOString(),
    late,
    outcome,
    ...(outcome === 'quarantined' ? { rejectReason: 'Nội dung tệp không phải PDF' } : {}),
    receipt: 'sent',
  });
}
