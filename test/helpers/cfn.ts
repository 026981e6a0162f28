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
) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':kafka:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${type}/${clusterName}/`,
      clusterUuid,
      `/${name}`,
    ],
  ],
});

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
  Resource: {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ec2:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':*/*',
      ],
    ],
  },
};
