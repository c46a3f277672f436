/** Persistence for what units send: upload intents, submissions, extensions, and the context a link needs. */
import type { Cluster, Milestone, Plan, Unit } from '../domain/model';
import type { Extension, Submission, UploadIntent } from '../domain/submission';
import type { CreateOutcome } from './repositories';

export interface LinkRef {
  clusterId: string;
  planId: string;
  unitId: string;
  milestoneId?: string;
  uploadId?: string;
}

/** Everything a link-driven request needs, read in one round trip; absent items are undefined. */
export interface LinkContext {
  cluster?: Cluster;
  unit?: Unit;
  plan?: Plan;
  milestone?: Milestone;
  extension?: Extension;
  intent?: UploadIntent;
  submission?: Submission;
}

/** What names one submission. */
export type SubmissionRef = Pick<Submission, 'clusterId' | 'planId' | 'unitId' | 'uploadId'>;

export interface UnitPlanItems {
  submissions: Submission[];
  extensions: Extension[];
  intents: UploadIntent[];
}

export interface UploadRepository {
  getLinkContext(ref: LinkRef): Promise<LinkContext>;
  /** Stores the intent; it expires after `ttlSeconds` (TTL in AWS, filtered on read locally). */
  putIntent(intent: UploadIntent, ttlSeconds: number): Promise<void>;
  /** Records a submission unless one with the same upload id exists (a duplicate event records nothing). */
  recordSubmission(submission: Submission): Promise<CreateOutcome>;
  /**
   * Claims the sending of a submission's receipt for the calling delivery of its event: true when the receipt is
   * pending and unclaimed, or its claim was taken at least `staleMs` before `now` (by a delivery that died); false
   * when it was sent or another delivery is sending it. Two deliveries racing for it: exactly one gets true.
   */
  claimReceipt(submission: SubmissionRef, now: Date, staleMs: number): Promise<boolean>;
  /** Gives up a claim whose email did not go out (SES refused it), so that the retry may claim it at once. */
  releaseReceipt(submission: SubmissionRef): Promise<void>;
  /** Marks the receipt sent (and drops its claim). */
  markReceiptSent(submission: SubmissionRef): Promise<void>;
  listUnitItems(clusterId: string, planId: string, unitId: string): Promise<UnitPlanItems>;
  listPlanSubmissions(clusterId: string, planId: string): Promise<Submission[]>;
  /** Every extension of a plan (GSI1, the plan's EXTS partition): one Query whatever the unit count. */
  listPlanExtensions(clusterId: string, planId: string): Promise<Extension[]>;
  /** Every submission and extension for one milestone of a plan: two Queries whatever the unit count. */
  listMilestoneItems(clusterId: string, planId: string, milestoneId: string): Promise<{ submissions: Submission[]; extensions: Extension[] }>;
  getSubmission(clusterId: string, planId: string, unitId: string, uploadId: string): Promise<Submission | undefined>;
  putExtension(extension: Extension): Promise<void>;
}
