import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  ResourceStatus,
  StackEvent,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  Clock,
  creationTimings,
  failedAssertions,
  formatDuration,
  remainingStacks,
  vpcOfStack,
  waitForLambdaInterfaces,
} from '../../tools/integ/cloud';

// What `npm run integ` asks AWS besides the CDK CLI, against mocked CloudFormation and EC2.
const cfnMock = mockClient(CloudFormationClient);
const ec2Mock = mockClient(EC2Client);
beforeEach(() => {
  cfnMock.reset();
  ec2Mock.reset();
});
const cfn = () => new CloudFormationClient({ region: 'eu-west-1' });
const ec2 = () => new EC2Client({ region: 'eu-west-1' });

/** A clock that advances only when slept on. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}
const missing = () =>
  Object.assign(new Error('Stack with id x does not exist'), { name: 'ValidationError' });

test('formatDuration', () => {
  expect(formatDuration(4_400)).toBe('4s');
  expect(formatDuration(185_000)).toBe('3m 05s');
  expect(formatDuration(3_723_000)).toBe('1h 02m 03s');
});

test('vpcOfStack: the VPC resource of the stack; undefined when the stack is gone', async () => {
  cfnMock.on(DescribeStackResourcesCommand).resolvesOnce({
    StackResources: [
      {
        ResourceType: 'AWS::EC2::Subnet',
        PhysicalResourceId: 'subnet-1',
        LogicalResourceId: 'S',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
      {
        ResourceType: 'AWS::EC2::VPC',
        PhysicalResourceId: 'vpc-123',
        LogicalResourceId: 'V',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
  await expect(vpcOfStack(cfn(), 'msk-integ-Network')).resolves.toBe('vpc-123');
  cfnMock.on(DescribeStackResourcesCommand).rejects(missing());
  await expect(vpcOfStack(cfn(), 'msk-integ-Network')).resolves.toBeUndefined();
});

test('waits, polling, until the VPC has no Lambda network interface', async () => {
  ec2Mock
    .on(DescribeNetworkInterfacesCommand)
    .resolvesOnce({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }, { NetworkInterfaceId: 'eni-2' }],
    })
    .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-2' }] })
    .resolves({ NetworkInterfaces: [] });
  const clock = fakeClock();
  const lines: string[] = [];
  await expect(
    waitForLambdaInterfaces(ec2(), 'vpc-123', {
      timeoutMs: 600_000,
      intervalMs: 30_000,
      clock,
      log: (l) => lines.push(l),
    }),
  ).resolves.toBe(true);
  expect(clock.slept).toEqual([30_000, 30_000]);
  expect(lines.at(-1)).toBe('no Lambda network interfaces left in vpc-123 (after 1m 00s)');
  expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
    Filters: [
      { Name: 'vpc-id', Values: ['vpc-123'] },
      { Name: 'interface-type', Values: ['lambda'] },
    ],
  });
});

test('gives up after the bound, naming the interfaces left', async () => {
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [{ NetworkInterfaceId: 'eni-9' }],
  });
  const clock = fakeClock();
  const lines: string[] = [];
  await expect(
    waitForLambdaInterfaces(ec2(), 'vpc-123', {
      timeoutMs: 100_000,
      intervalMs: 30_000,
      clock,
      log: (l) => lines.push(l),
    }),
  ).resolves.toBe(false);
  expect(clock.now()).toBeLessThanOrEqual(100_000);
  expect(lines.at(-1)).toBe('1 Lambda network interface(s) still in vpc-123 after 1m 30s: eni-9');
});

test('follows DescribeNetworkInterfaces pages: an interface on page 2 still counts', async () => {
  ec2Mock
    .on(DescribeNetworkInterfacesCommand)
    .resolvesOnce({ NetworkInterfaces: [], NextToken: 'p2' })
    .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }] })
    .resolves({ NetworkInterfaces: [] });
  const clock = fakeClock();
  await expect(
    waitForLambdaInterfaces(ec2(), 'vpc-1', { timeoutMs: 60_000, intervalMs: 10_000, clock }),
  ).resolves.toBe(true);
  expect(clock.slept).toEqual([10_000]);
  expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[1].args[0].input.NextToken).toBe(
    'p2',
  );
});

test('remainingStacks: gone and DELETE_COMPLETE stacks are not left', async () => {
  cfnMock
    .on(DescribeStacksCommand, { StackName: 'a' })
    .rejects(missing())
    .on(DescribeStacksCommand, { StackName: 'b' })
    .resolves({
      Stacks: [{ StackName: 'b', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() }],
    })
    .on(DescribeStacksCommand, { StackName: 'c' })
    .resolves({
      Stacks: [{ StackName: 'c', StackStatus: 'DELETE_FAILED', CreationTime: new Date() }],
    });
  await expect(remainingStacks(cfn(), ['a', 'b', 'c'])).resolves.toEqual([
    { name: 'c', status: 'DELETE_FAILED' },
  ]);
});

test('creationTimings: the latest create or update, in order, failures with the reason', async () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const ev = (id: string, status: string, s: number, reason?: string) =>
    ({
      StackId: 'x',
      EventId: `${id}-${status}-${s}`,
      StackName: 'msk-integ-Assertions',
      LogicalResourceId: id,
      ResourceType:
        id === 'Stack'
          ? 'AWS::CloudFormation::Stack'
          : 'Custom::DeployAssert@SdkCallKafkadescribeClusterV2',
      ResourceStatus: status as ResourceStatus,
      ResourceStatusReason: reason,
      Timestamp: at(s),
    }) as StackEvent;
  cfnMock
    .on(DescribeStackEventsCommand)
    .resolvesOnce({
      // newest first, as CloudFormation returns them
      StackEvents: [
        ev('B', 'DELETE_COMPLETE', 58),
        ev('B', 'DELETE_IN_PROGRESS', 55),
        ev('B', 'CREATE_FAILED', 50, 'assertion failed: ...'),
        ev('B', 'CREATE_IN_PROGRESS', 20),
      ],
      NextToken: 'n',
    })
    .resolvesOnce({
      StackEvents: [
        ev('A', 'UPDATE_COMPLETE', 19),
        ev('A', 'UPDATE_IN_PROGRESS', 14),
        ev('A', 'CREATE_COMPLETE', 9),
        ev('A', 'CREATE_IN_PROGRESS', 4),
        ev('Stack', 'CREATE_IN_PROGRESS', 1),
      ],
    });
  await expect(
    creationTimings(cfn(), 'msk-integ-Assertions', (t) => t.startsWith('Custom::DeployAssert@')),
  ).resolves.toEqual([
    {
      logicalId: 'A',
      type: 'Custom::DeployAssert@SdkCallKafkadescribeClusterV2',
      status: 'UPDATE_COMPLETE',
      durationMs: 5_000,
      reason: undefined,
    },
    {
      logicalId: 'B',
      type: 'Custom::DeployAssert@SdkCallKafkadescribeClusterV2',
      status: 'CREATE_FAILED',
      durationMs: 30_000,
      reason: 'assertion failed: ...',
    },
  ]);
});

test('failedAssertions: every AssertionResults output that is not success', async () => {
  cfnMock.on(DescribeStacksCommand, { StackName: 'msk-integ-Assertions' }).resolves({
    Stacks: [
      {
        StackName: 'msk-integ-Assertions',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'AssertionResultsA', OutputValue: '{"status":"success"}' },
          {
            OutputKey: 'AssertionResultsB',
            OutputValue: '{"status":"fail","message":"!! Expected 1"}',
          },
          { OutputKey: 'AssertionResultsC', OutputValue: 'not json' },
          { OutputKey: 'ProducerArn', OutputValue: 'arn:…' },
        ],
      },
    ],
  });
  await expect(failedAssertions(cfn(), 'msk-integ-Assertions')).resolves.toEqual([
    { output: 'AssertionResultsB', result: '{"status":"fail","message":"!! Expected 1"}' },
    { output: 'AssertionResultsC', result: 'not json' },
  ]);
});
