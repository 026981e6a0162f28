import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { Compliance } from './config';

/**
 * Registers the cdk-nag packs on an App or Stage. Findings fail synth (cdk-nag v3 reports
 * through CDK's validation plugins); acknowledgements live next to the construct they concern.
 *
 * - `aws-solutions`: AwsSolutions.
 * - `all`: AwsSolutions + NIST 800-53 R5 + HIPAA Security (what regulated users deploy).
 */
export function addCompliancePacks(scope: Construct, level: Compliance): void {
  if (!Stage.isStage(scope)) {
    throw new Error('addCompliancePacks: pass the App or a Stage (validation plugins live there)');
  }
  const packs =
    level === 'all'
      ? [
          new AwsSolutionsChecks(scope),
          new NIST80053R5Checks(scope),
          new HIPAASecurityChecks(scope),
        ]
      : [new AwsSolutionsChecks(scope)];
  Validations.of(scope).addPlugins(...packs);
}
