import type { Template } from 'aws-cdk-lib/assertions';

/**
 * `arn:<partition>:<service>:<region>:<account><rest…>` as CloudFormation renders an ARN that
 * aws-cdk-lib formats in an environment-agnostic stack.
 */
export const regionalArn = (service: string, ...rest: unknown[]) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ...rest,
    ],
  ],
});

/**
 * `arn:<partition>:kafka:<region>:<account>:<type>/<clusterName>/<clusterUuid>/<name>` as
 * CloudFormation renders it; `clusterUuid` is the rendered reference to the cluster's UUID
 * parameter (`Fn::GetAtt` in its own stack, `Fn::GetStackOutput` elsewhere).
 */
export const kafkaResourceArn = (
  clusterUuid: unknown,
  type: string,
  clusterName: string,
  name: string,
) => regionalArn('kafka', `:${type}/${clusterName}/`, clusterUuid, `/${name}`);

/** Lambda's network-interface writes: this account's and Region's EC2 resources only. */
export const lambdaVpcWrites = {
  Sid: 'LambdaVpcNetworkInterfaces',
  Effect: 'Allow',
  Action: [
    'ec2:AssignPrivateIpAddresses',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: regionalArn('ec2', ':*/*'),
};

/** Each Lambda function of a template as [its Description, the LogGroupName its LoggingConfig names]. */
export function functionLogGroups(template: Template): [string, string][] {
  const logGroups = template.findResources('AWS::Logs::LogGroup');
  return Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => [
    fn.Properties.Description,
    logGroups[fn.Properties.LoggingConfig.LogGroup.Ref].Properties.LogGroupName,
  ]);
}
