import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag's own rendering of a resource in its IAM5 findings, so the acknowledgement names exactly that finding.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's IAM5 finding (a `*` in a resource) for one resource ARN granted to `grantee`, with the
 * reason it is as narrow as it can be. Other wildcards stay findings.
 */
export function acknowledgeWildcardResource(grantee: IConstruct, resourceArn: string, reason: string): void {
  const finding = `Resource::${flattenCfnReference(Stack.of(grantee).resolve(resourceArn))}`;
  Validations.of(grantee).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}
