/**
 * Custom resource `Custom::VpcRestrictDefaultSG`: removes every rule from a VPC's default
 * security group, so that nothing placed in it by mistake can talk to anything.
 *
 * It replaces aws-cdk-lib's `restrictDefaultSecurityGroup` handler, which runs outside the VPC
 * with the AWS-managed `AWSLambdaBasicExecutionRole` (Control Tower CT.LAMBDA.PR.3, and the
 * project's no-managed-policy rule). A new VPC's default group has exactly two rules: all
 * inbound traffic from the group itself and all outbound IPv4 traffic (Amazon VPC User Guide,
 * "Default security groups for your VPCs").
 *
 * Properties: `DefaultSecurityGroupId`, `Account`.
 * - Create/Update: revoke both default rules; a rule already gone is success.
 * - Delete: nothing. The group stays closed, the safe state; it goes with its VPC.
 */
import {
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { redact } from '../shared/custom-resource';
import { logger } from '../shared/logger';

/** A property is missing or malformed. */
export class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}

export interface DefaultSecurityGroup {
  readonly groupId: string;
  readonly account: string;
}

export function parseProperties(
  properties: Record<string, unknown> | undefined,
): DefaultSecurityGroup {
  const groupId = properties?.DefaultSecurityGroupId;
  const account = properties?.Account;
  if (typeof groupId !== 'string' || !/^sg-[0-9a-f]+$/.test(groupId)) {
    throw new InvalidPropertiesError(
      `DefaultSecurityGroupId must be a security group id (sg-…), got ${JSON.stringify(groupId)}`,
    );
  }
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
    throw new InvalidPropertiesError(
      `Account must be a 12-digit account id, got ${JSON.stringify(account)}`,
    );
  }
  return { groupId, account };
}

/** EC2's answer when the rule to revoke does not exist (already revoked). */
const isRuleGone = (error: unknown): boolean =>
  error instanceof Error && error.name === 'InvalidPermission.NotFound';

/** Revokes the default group's two default rules; returns the ones that were still there. */
export async function restrict(ec2: EC2Client, group: DefaultSecurityGroup): Promise<string[]> {
  const revoked: string[] = [];
  const attempts: [string, () => Promise<unknown>][] = [
    [
      'ingress from the group itself',
      () =>
        ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: group.groupId,
            IpPermissions: [
              {
                IpProtocol: '-1',
                UserIdGroupPairs: [{ GroupId: group.groupId, UserId: group.account }],
              },
            ],
          }),
        ),
    ],
    [
      'egress to 0.0.0.0/0',
      () =>
        ec2.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: group.groupId,
            IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        ),
    ],
  ];
  for (const [rule, revoke] of attempts) {
    try {
      await revoke();
      revoked.push(rule);
    } catch (error) {
      if (!isRuleGone(error)) throw error;
    }
  }
  return revoked;
}

export async function onEvent(
  event: CdkCustomResourceEvent,
  ec2: EC2Client,
): Promise<CdkCustomResourceResponse> {
  logger.info('Custom resource event', { event: redact(event) });
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const group = parseProperties(event.ResourceProperties);
  const revoked = await restrict(ec2, group);
  logger.info('Default security group restricted', { groupId: group.groupId, revoked });
  return { PhysicalResourceId: `restrict-default-sg:${group.groupId}` };
}

const ec2 = new EC2Client({});

/** Lambda entry point. */
export async function handler(
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> {
  logger.addContext(context);
  try {
    return await onEvent(event, ec2);
  } catch (error) {
    logger.error('Restricting the default security group failed', { error });
    throw error;
  }
}
