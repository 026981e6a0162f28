import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { EncryptedLogs } from '../../secure-msk-constructs';
import { noBundlingApp } from './no-bundling';

/**
 * A stack (bundling skipped) with what a forker brings of their own: a VPC, a plain kms.Key (not
 * this repository's PlatformKey), log settings on it, and broker and client security groups.
 */
export function ownNetwork(stackName: string, logGroupNamePrefix: string) {
  const stack = new Stack(noBundlingApp(), stackName);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
  });
  const key = new kms.Key(stack, 'Key', {
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const logSettings: EncryptedLogs = {
    encryptionKey: key,
    logGroupNamePrefix,
    logRetention: logs.RetentionDays.ONE_YEAR,
    logRemovalPolicy: RemovalPolicy.DESTROY,
  };
  const brokers = new ec2.SecurityGroup(stack, 'Brokers', { vpc });
  const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc });
  return { stack, vpc, key, logSettings, brokers, clients };
}
