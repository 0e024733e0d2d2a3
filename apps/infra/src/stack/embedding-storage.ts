import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './acknowledge-wildcard-resource.js';
import type { ReceiptGateFunction } from './receipt-gate-function.js';
import type { S3Location } from './settings.js';

/** The prefix of the embedding collections in the bucket this stack creates for them. */
export const EMBEDDINGS_PREFIX = 'embeddings';

const DELTA_KEYS =
  'Delta keys are made per run (receipt and run id); the bucket holds deltas only, so the grant is to its objects.';

const privateBucket = (scope: Construct, id: string) => {
  const bucket = new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Embeddings are expensive to rebuild and deltas are what rebuilds them: removing the stack keeps both.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Only the functions of this stack use this private bucket, through roles scoped to it; CloudTrail data ' +
      'events are the place to audit object access if needed, not a second logging bucket per stack.',
  });
  return bucket;
};

/**
 * Where the embeddings live: a private bucket for the deltas the upload writes and the compactor reads, and the
 * location of the embedding collections the compactor maintains (a bucket of this stack, or `embeddingsUri`).
 * The `grant*` methods give a function the object actions it needs on those locations, and nothing else.
 */
export class EmbeddingStorage extends Construct {
  readonly deltasBucket: IBucket;
  readonly embeddingsBucket: IBucket;
  readonly embeddingsPrefix: string;

  constructor(scope: Construct, id: string, props: { readonly embeddings?: S3Location }) {
    super(scope, id);
    this.deltasBucket = privateBucket(this, 'DeltasBucket');
    if (props.embeddings) {
      this.embeddingsBucket = Bucket.fromBucketName(this, 'EmbeddingsBucket', props.embeddings.bucketName);
      this.embeddingsPrefix = props.embeddings.prefix;
    } else {
      this.embeddingsBucket = privateBucket(this, 'EmbeddingsBucket');
      this.embeddingsPrefix = EMBEDDINGS_PREFIX;
    }
  }

  /** `s3://bucket/prefix` of the collections (the functions' `EMBEDDINGS_URI`). */
  get embeddingsUri(): string {
    const prefix = this.embeddingsPrefix ? `/${this.embeddingsPrefix}` : '';
    return `s3://${this.embeddingsBucket.bucketName}${prefix}`;
  }

  /** Objects of the collections: every key under the prefix (LanceDB names the collections' files). */
  private get embeddingObjects(): string {
    const prefix = this.embeddingsPrefix ? `${this.embeddingsPrefix}/` : '';
    return this.embeddingsBucket.arnForObjects(`${prefix}*`);
  }

  /** The upload writes a run's deltas; it never reads or deletes them. */
  grantDeltaWrite(fn: ReceiptGateFunction): void {
    this.grantObjects(fn, ['s3:PutObject'], this.deltasBucket.arnForObjects('*'), DELTA_KEYS);
  }

  /** The compactor reads the deltas of the runs it merges. */
  grantDeltaRead(fn: ReceiptGateFunction): void {
    this.grantObjects(fn, ['s3:GetObject'], this.deltasBucket.arnForObjects('*'), DELTA_KEYS);
  }

  /** The compactor reads, writes and prunes (old versions of) the collections, and lists them under the prefix. */
  grantEmbeddings(fn: ReceiptGateFunction): void {
    this.grantObjects(
      fn,
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      this.embeddingObjects,
      'LanceDB names the files of a collection (data, indexes, versions) itself; the grant covers the ' +
        "collections' prefix only.",
    );
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.embeddingsBucket.bucketArn],
        ...(this.embeddingsPrefix && {
          conditions: { StringLike: { 's3:prefix': [this.embeddingsPrefix, `${this.embeddingsPrefix}/*`] } },
        }),
      }),
    );
  }

  private grantObjects(fn: ReceiptGateFunction, actions: string[], objects: string, reason: string): void {
    fn.role.addToPolicy(new PolicyStatement({ actions, resources: [objects] }));
    acknowledgeWildcardResource(fn, objects, reason);
  }
}
