import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../shared/adapters/dynamodb/table';

export interface StatefulStackProps extends StackProps {
  /**
   * The web origin the member page is served from (`https://thi-dua.example.org`): the only origin the uploads
   * bucket's CORS rule lets browsers POST files from.
   */
  readonly appOrigin: string;
  /**
   * How long noncurrent versions of uploaded files are kept after being replaced or deleted.
   * @default Duration.days(365)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long S3 server access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
  /**
   * Keep the data when the stack is deleted: the table (with deletion protection), both buckets and the link secret
   * are RETAINed. `false` (a dev stage only) makes them DESTROY instead, and the table loses its deletion protection,
   * so that `cdk destroy` removes them (and every link issued by the stage stops verifying). CloudFormation cannot
   * delete a bucket that still holds objects, so each bucket (every object version of the uploads bucket, and the
   * access logs) must be emptied first; there is deliberately no auto-delete custom resource (an extra Lambda
   * function in the stack, and a way to lose files by mistake).
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * Everything that holds data: the single table, the uploads bucket (with its access-log bucket) and the link-signing
 * secret. Kept apart from the stateless stack so that code deployments can never replace or delete data; every
 * resource here is RETAINed (unless `retainData: false`, for a dev stage).
 */
export class StatefulStack extends Stack {
  public readonly table: dynamodb.ITable;
  public readonly uploadsBucket: s3.IBucket;
  public readonly accessLogsBucket: s3.IBucket;
  /** Signs the member links (`/u/{token}`); losing it would invalidate every link sent. */
  public readonly linkSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const retainData = props.retainData ?? true;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retainData,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.indexName,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.table = table;

    // Server access logs of the uploads bucket: who downloaded which report, when. SSE-S3, because S3 log delivery
    // cannot write to a bucket encrypted with a KMS key. Being a log destination itself, it needs no access logs of
    // its own (cdk-nag S1 recognises that).
    const accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: props.accessLogsExpiration ?? Duration.days(365),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.accessLogsBucket = accessLogsBucket;

    const uploadsBucket = new s3.Bucket(this, 'UploadsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // "Nothing is ever lost: a re-upload adds a version, never overwrites."
      versioned: true,
      removalPolicy,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'uploads/',
      lifecycleRules: [
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(365),
        },
      ],
      // Browsers send files straight to S3 with a presigned POST form from the member page; nothing else is
      // allowed cross-origin (downloads are top-level navigations to presigned URLs, which CORS does not concern).
      cors: [
        {
          allowedOrigins: [props.appOrigin],
          allowedMethods: [s3.HttpMethods.POST],
          allowedHeaders: ['*'],
          maxAge: 3000,
        },
      ],
    });
    // Object-created events go to EventBridge, where the stateless stack's rule picks them up. Set on the L1 bucket
    // rather than with `eventBridgeEnabled: true`, which would add a custom resource and its Lambda function (with a
    // managed policy) to this stack; CloudFormation supports the setting natively. A direct S3 -> Lambda notification
    // is not possible here: the function lives in the stateless stack, which already depends on this one.
    const cfnUploadsBucket = uploadsBucket.node.defaultChild as s3.CfnBucket;
    cfnUploadsBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    this.uploadsBucket = uploadsBucket;

    // One random string (key id 1, see shared/adapters/secrets/link-keys.ts); rotation is manual, see below.
    const linkSecret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'Key that signs the per-unit member links (/u/{token}); rotate by the manual procedure only',
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
      removalPolicy,
    });
    Validations.of(linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The link-signing key is rotated by a manual, documented procedure, not by a rotation Lambda: a new key is ' +
        'added in front of the old one in the JSON form {"keys":[{"id":2,"secret":"..."},{"id":1,"secret":"..."}]} ' +
        '(shared/adapters/secrets/link-keys.ts), so links already sent keep verifying until the old key is removed. ' +
        'An automatic rotation that replaced the value would invalidate every member link in circulation.',
    });
    this.linkSecret = linkSecret;

    // What the operator CLI reads (CTD_TARGET=aws TABLE_NAME=... BUCKET_NAME=... LINK_SECRET_ARN=...).
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'TABLE_NAME: the single table' });
    new CfnOutput(this, 'BucketName', { value: uploadsBucket.bucketName, description: 'BUCKET_NAME: the uploads bucket' });
    new CfnOutput(this, 'LinkSecretArn', {
      value: linkSecret.secretArn,
      description: 'LINK_SECRET_ARN: the secret that signs member links (an ARN, not the value)',
    });
  }
}
