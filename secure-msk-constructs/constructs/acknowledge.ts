import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on one construct (keep it the narrowest one that triggers them).
 * `ids` are full rule ids, fine-grained where the rule has them, e.g.
 * `AwsSolutions-IAM5[Resource::*]`; `reason` names the AWS requirement or the trade-off.
 */
export function acknowledge(construct: IConstruct, ids: readonly string[], reason: string): void {
  Validations.of(construct).acknowledge(...ids.map((id) => ({ id, reason })));
}
