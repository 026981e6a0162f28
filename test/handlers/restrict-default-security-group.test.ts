import {
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  handler,
  onEvent,
  parseProperties,
} from '../../secure-msk-constructs/handlers/restrict-default-security-group/index';
import { logger } from '../../secure-msk-constructs/handlers/shared/logger';

const ec2Mock = mockClient(EC2Client);
const GROUP = 'sg-0123456789abcdef0';
const ACCOUNT = '111122223333';

const event = (
  RequestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown> = { DefaultSecurityGroupId: GROUP, Account: ACCOUNT },
) =>
  ({
    RequestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/SIGNED',
    StackId: 'stack',
    RequestId: 'r',
    LogicalResourceId: 'RestrictDefaultSecurityGroupCustomResource',
    PhysicalResourceId: `restrict-default-sg:${GROUP}`,
    ResourceType: 'Custom::VpcRestrictDefaultSG',
    ResourceProperties: { ServiceToken: 'token', ...props },
    OldResourceProperties: { ServiceToken: 'token', ...props },
  }) as CdkCustomResourceEvent;

const notFound = () =>
  Object.assign(new Error('The specified rule does not exist'), {
    name: 'InvalidPermission.NotFound',
  });

let info: jest.SpyInstance;
beforeEach(() => {
  ec2Mock.reset();
  info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('revokes exactly the two default rules of the group', async () => {
  await expect(onEvent(event('Create'), new EC2Client({}))).resolves.toEqual({
    PhysicalResourceId: `restrict-default-sg:${GROUP}`,
  });
  expect(
    ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input),
  ).toEqual([
    {
      GroupId: GROUP,
      IpPermissions: [
        { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: GROUP, UserId: ACCOUNT }] },
      ],
    },
  ]);
  expect(
    ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand).map((c) => c.args[0].input),
  ).toEqual([
    { GroupId: GROUP, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
  ]);
  expect(info).toHaveBeenCalledWith('Default security group restricted', {
    groupId: GROUP,
    revoked: ['ingress from the group itself', 'egress to 0.0.0.0/0'],
  });
});

test('a rule already revoked is success (update after a manual change)', async () => {
  ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(notFound());
  await expect(onEvent(event('Update'), new EC2Client({}))).resolves.toEqual({
    PhysicalResourceId: `restrict-default-sg:${GROUP}`,
  });
  expect(info).toHaveBeenCalledWith('Default security group restricted', {
    groupId: GROUP,
    revoked: ['egress to 0.0.0.0/0'],
  });
});

test('any other EC2 error fails the deployment', async () => {
  ec2Mock
    .on(RevokeSecurityGroupEgressCommand)
    .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
  await expect(onEvent(event('Create'), new EC2Client({}))).rejects.toThrow('not authorized');
});

test('bad properties are refused before any call, naming the property', async () => {
  await expect(
    onEvent(
      event('Create', { DefaultSecurityGroupId: 'default', Account: ACCOUNT }),
      new EC2Client({}),
    ),
  ).rejects.toThrow('DefaultSecurityGroupId must be a security group id (sg-…), got "default"');
  await expect(
    onEvent(event('Create', { DefaultSecurityGroupId: GROUP, Account: '123' }), new EC2Client({})),
  ).rejects.toThrow('Account must be a 12-digit account id, got "123"');
  expect(ec2Mock.calls()).toHaveLength(0);
});

test('delete leaves the group closed and calls nothing', async () => {
  await expect(onEvent(event('Delete'), new EC2Client({}))).resolves.toEqual({
    PhysicalResourceId: `restrict-default-sg:${GROUP}`,
  });
  expect(ec2Mock.calls()).toHaveLength(0);
});

describe('handler (the Lambda entry point, its own EC2Client mocked)', () => {
  const context = { functionName: 'restrict-default-sg', awsRequestId: 'req-1' } as Context;

  test('restricts the group, with the invocation context in the logs', async () => {
    const addContext = jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    await expect(handler(event('Create'), context)).resolves.toEqual({
      PhysicalResourceId: `restrict-default-sg:${GROUP}`,
    });
    expect(addContext).toHaveBeenCalledWith(context);
    expect(ec2Mock.calls()).toHaveLength(2);
  });

  test('a failure is logged, then rethrown for the Provider framework to report', async () => {
    jest.spyOn(logger, 'addContext').mockImplementation(() => undefined);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const denied = Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' });
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(denied);
    await expect(handler(event('Update'), context)).rejects.toBe(denied);
    expect(error).toHaveBeenCalledWith('Restricting the default security group failed', {
      error: denied,
    });
    expect(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)).toHaveLength(0);
  });
});

describe('properties and logging', () => {
  test.each([
    [
      { DefaultSecurityGroupId: `x${GROUP}`, Account: ACCOUNT },
      `DefaultSecurityGroupId must be a security group id (sg-…), got "x${GROUP}"`,
    ],
    [
      { DefaultSecurityGroupId: `${GROUP}x`, Account: ACCOUNT },
      `DefaultSecurityGroupId must be a security group id (sg-…), got "${GROUP}x"`,
    ],
    [
      { Account: ACCOUNT },
      'DefaultSecurityGroupId must be a security group id (sg-…), got undefined',
    ],
    [
      { DefaultSecurityGroupId: GROUP, Account: `${ACCOUNT}4` },
      `Account must be a 12-digit account id, got "${ACCOUNT}4"`,
    ],
    [
      { DefaultSecurityGroupId: GROUP, Account: `x${ACCOUNT}` },
      `Account must be a 12-digit account id, got "x${ACCOUNT}"`,
    ],
    [
      { DefaultSecurityGroupId: GROUP, Account: 111122223333 },
      'Account must be a 12-digit account id, got 111122223333',
    ],
  ])('refuses %j', (properties, message) => {
    expect(() => parseProperties(properties)).toThrow(
      expect.objectContaining({ name: 'InvalidPropertiesError', message }),
    );
  });

  test('the event is logged with the ResponseURL redacted', async () => {
    await onEvent(event('Delete'), new EC2Client({}));
    expect(info).toHaveBeenCalledWith('Custom resource event', {
      event: expect.objectContaining({ RequestType: 'Delete', ResponseURL: '[redacted]' }),
    });
  });
});
