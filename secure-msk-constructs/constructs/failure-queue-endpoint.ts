import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HTTPS_PORT } from '../model/kafka-ports';

export interface FailureQueueEndpointProps {
  readonly vpc: ec2.IVpc;
  /** The subnets of the Kafka cluster (where Lambda's pollers run). */
  readonly vpcSubnets: ec2.SubnetSelection;
}

/**
 * The SQS interface endpoint that Kafka event sources' on-failure destinations need in the
 * cluster's VPC ("You must deploy a VPC endpoint for your on-failure destination service inside
 * your Kafka cluster VPC", Lambda Developer Guide, MSK on-failure destinations). One per VPC:
 * with private DNS on, a second endpoint for the same service in the VPC fails to deploy, so
 * every consumer shares this one and adds its peers with `allowFrom`.
 */
export class FailureQueueEndpoint extends Construct {
  public readonly endpoint: ec2.InterfaceVpcEndpoint;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: FailureQueueEndpointProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description:
        'SQS interface endpoint: HTTPS from Lambda MSK pollers (cluster group) and clients',
      allowAllOutbound: false,
    });
    this.endpoint = new ec2.InterfaceVpcEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SQS,
      subnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      privateDnsEnabled: true,
      open: false,
    });
  }

  /** Admits HTTPS from a peer (rules already there are not added twice). */
  public allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(HTTPS_PORT), description);
  }
}
