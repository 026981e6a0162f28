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
