/**
 * `arn:<partition>:kafka:<region>:<account>:<type>/<clusterName>/<clusterUuid>/<name>` as
 * CloudFormation renders it, the UUID cut from the cluster ARN (`clusterArn` is its token).
 */
export const kafkaResourceArn = (
  clusterArn: unknown,
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
      { 'Fn::Select': [2, { 'Fn::Split': ['/', clusterArn] }] },
      `/${name}`,
    ],
  ],
});
