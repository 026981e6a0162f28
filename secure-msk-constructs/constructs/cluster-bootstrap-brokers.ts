import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecureCustomResourceProvider } from './custom-resource-provider';
import {
  FunctionEncryptionProps,
  FunctionNetworkProps,
  grantOnAllResources,
} from './secure-function';

/** `vpc`, `vpcSubnets`, `securityGroups`: the handler's network (private subnets, HTTPS egress). */
export interface ClusterBootstrapBrokersProps
  extends FunctionNetworkProps, FunctionEncryptionProps {
  readonly clusterArn: string;
}

/**
 * The cluster's bootstrap broker strings for SASL/SCRAM (port 9096) and IAM (9098), read with
 * `kafka:GetBootstrapBrokers` at deploy time (AWS::MSK::Cluster does not return them).
 */
export class ClusterBootstrapBrokers extends Construct {
  /** `b-1.…:9096,b-2.…:9096`. */
  public readonly scram: string;
  /** `b-1.…:9098,b-2.…:9098`. */
  public readonly iam: string;

  constructor(scope: Construct, id: string, props: ClusterBootstrapBrokersProps) {
    super(scope, id);
    const provider = new SecureCustomResourceProvider(this, 'Provider', {
      entry: 'cluster-bootstrap-brokers/index.ts',
      description: 'MSK bootstrap brokers custom resource (msk-secure-stack)',
      encryptionKey: props.encryptionKey,
      logs: props.logs,
      logGroupName: 'custom-resources/bootstrap-brokers',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    });
    // kafka:GetBootstrapBrokers has no resource type (Service Authorization Reference, Amazon
    // MSK): a statement on the cluster ARN would never allow it.
    grantOnAllResources(provider.handler.role, 'ReadBootstrapBrokers', [
      'kafka:GetBootstrapBrokers',
    ]);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MskBootstrapBrokers',
      properties: { ClusterArn: props.clusterArn },
    });
    this.scram = resource.getAttString('SaslScram');
    this.iam = resource.getAttString('SaslIam');
  }
}
