#!/usr/bin/env node
/**
 * A forker's app: its own VPC and KMS key, and this repository's building blocks on top of
 * them: `SecureMskCluster`, `ScramUsers`, `ScramSecretAssociation` and two `MskConsumer`s
 * sharing one SQS endpoint. It imports only the library's index (`secure-msk-constructs/`) and
 * packages: nothing from `lib/` (config, stacks, compliance wiring).
 *
 *   npm run synth:example          # offline, no credentials
 *
 * Copy this file and `secure-msk-constructs/` into your project (what else it needs:
 * secure-msk-constructs/README.md). The consumers here run the library's reference handler
 * (`secure-msk-constructs/handlers/consumer/`, `MskConsumer`'s default `entry`). For your own,
 * copy that folder into your app, e.g. `lambda/consumers/<name>/` (`npm run new-consumer -- <name>`
 * does it in this repository), write your business step in its `process-record.ts` and pass its
 * absolute path as `entry` (see the comment at `new MskConsumer` below).
 */
import { App, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  createEncryptedLogGroup,
  EncryptedLogs,
  FailureQueueEndpoint,
  KAFKA_PORTS,
  MskConsumer,
  ScramSecretAssociation,
  ScramUsers,
  SecureMskCluster,
} from '../secure-msk-constructs';

const CLUSTER = 'byo-vpc';

export class BringYourOwnVpcStack extends Stack {
  public readonly cluster: SecureMskCluster;
  public readonly consumers: MskConsumer[];

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Your VPC (any ec2.IVpc: Vpc.fromLookup works too) and your key.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });
    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch Logs may use the key only through its key policy: the constructs add that
    // statement (for log groups named `/byo-vpc/*` only) to a key they can edit, like this one.
    // An imported key (kms.Key.fromKeyArn) cannot be edited: add the statement yourself and set
    // `keyPolicyAllowsLogs: true` in the settings below, or synth stops and names it.
    const logSettings: EncryptedLogs = {
      encryptionKey: key,
      logGroupNamePrefix: `/${CLUSTER}/`,
      logRetention: logs.RetentionDays.ONE_YEAR,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    };

    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        createEncryptedLogGroup(this, 'FlowLogs', logSettings, 'vpc-flow-logs'),
      ),
    });

    // Your security groups: brokers admit Kafka from clients and from themselves (Lambda's
    // pollers run with the cluster's group); clients reach brokers and AWS APIs.
    const brokers = new ec2.SecurityGroup(this, 'Brokers', {
      vpc,
      description: 'MSK brokers',
      allowAllOutbound: false,
    });
    const clients = new ec2.SecurityGroup(this, 'Clients', {
      vpc,
      description: 'Kafka clients',
      allowAllOutbound: false,
    });
    for (const port of Object.values(KAFKA_PORTS)) {
      brokers.addIngressRule(clients, ec2.Port.tcp(port), `Kafka ${port} from clients`);
      brokers.connections.allowInternally(ec2.Port.tcp(port), `Kafka ${port} within the group`);
      clients.addEgressRule(brokers, ec2.Port.tcp(port), `Kafka ${port} to brokers`);
    }
    for (const group of [brokers, clients]) {
      group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
    }
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const functions = {
      vpc,
      vpcSubnets: privateSubnets,
      securityGroups: [clients],
      encryptionKey: key,
      logs: logSettings,
    };

    this.cluster = new SecureMskCluster(this, 'Msk', {
      clusterName: CLUSTER,
      kafkaVersion: '3.8.x',
      instanceType: 'kafka.t3.small',
      numberOfBrokerNodes: 2,
      vpc,
      vpcSubnets: privateSubnets,
      securityGroup: brokers,
      encryptionKey: key,
      logs: logSettings,
      ebsVolumeGiB: 20,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const users = new ScramUsers(this, 'Users', {
      clusterName: CLUSTER,
      users: ['orders'],
      // A reference: the key policy grants Secrets Manager nothing here, so give it yourself
      // (kms:ViaService secretsmanager) if your account does not delegate to IAM.
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const association = new ScramSecretAssociation(this, 'Association', {
      clusterArn: this.cluster.clusterArn,
      secretNamePrefix: users.secretNamePrefix,
      secretsKey: key,
      ...functions,
    });
    for (const [stack, secrets] of users.byStack)
      association.associate(stack, 'Association', secrets);

    const endpoint = new FailureQueueEndpoint(this, 'SqsEndpoint', {
      vpc,
      vpcSubnets: privateSubnets,
    });
    const consumer = (name: string, group: string, auth: 'scram' | 'iam') =>
      new MskConsumer(this, name, {
        name,
        // No `entry`: the library's reference handler. Your own handler file, e.g.
        //   entry: path.join(__dirname, 'lambda', 'consumers', name, 'index.ts'),
        cluster: this.cluster,
        authentication:
          auth === 'scram' ? { mode: 'scram', secret: users.secretOf('orders') } : { mode: 'iam' },
        topic: 'orders',
        consumerGroup: group,
        encryptionKey: key,
        logs: logSettings,
        vpc,
        vpcSubnets: privateSubnets,
        functionSecurityGroup: clients,
        failureQueueEndpoint: endpoint,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.consumers = [
      consumer('orders', `${CLUSTER}-orders`, 'scram'),
      consumer('audit', 'audit', 'iam'),
    ];
  }
}

/**
 * The example app with cdk-nag's AwsSolutions pack: a finding fails synth, as in the main app
 * (cdk-nag v3 reports through CDK's validation plugins; add NIST80053R5Checks and
 * HIPAASecurityChecks the same way). The constructs acknowledge, next to the resource, the
 * findings they answer by design.
 */
export function buildExample(app: App): BringYourOwnVpcStack {
  const stack = new BringYourOwnVpcStack(app, 'BringYourOwnVpc');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
