import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  checkAssembly,
  deployedStack,
  formatProblems,
  NoCredentialsError,
  NestedTemplate,
  SynthesizedStack,
} from '../../tools/deploy/plan';
import { splitArgs } from '../../tools/deploy/index';
import { readAssembly } from '../../tools/shared/assembly';

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());

/** A real cloud assembly: a stage with two stacks, one reading the other's security group. */
function synthesize(env?: { account: string; region: string }, description = 'brokers') {
  const outdir = mkdtempSync(join(tmpdir(), 'deploy-guard-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
  const network = new Stack(app, 'Network', { env, stackName: 'guard-Network' });
  const vpc = new ec2.Vpc(network, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
  });
  const group = new ec2.SecurityGroup(network, 'Brokers', { vpc, description });
  const cluster = new Stack(app, 'Cluster', { env, stackName: 'guard-Cluster' });
  new ec2.CfnSecurityGroupIngress(cluster, 'Ingress', {
    groupId: group.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: 9096,
    toPort: 9096,
    cidrIp: '10.0.0.0/16',
  });
  app.synth();
  return readAssembly(outdir);
}

const ENV = { account: '111122223333', region: 'eu-west-1' };
const deps = { cloudFormation: (region: string) => new CloudFormationClient({ region }) };

test('reads every stack of the assembly with its name, environment and template', () => {
  const stacks = synthesize(ENV);
  expect(stacks.map((s) => [s.stackName, s.displayName, s.account, s.region])).toEqual([
    ['guard-Network', 'Network', '111122223333', 'eu-west-1'],
    ['guard-Cluster', 'Cluster', '111122223333', 'eu-west-1'],
  ]);
  expect(Object.keys(stacks[1].template.Resources ?? {})).toEqual(['Ingress']);
});

test('without credentials (environment-agnostic stacks) it fails fast, calling nothing', async () => {
  const stacks = synthesize(undefined);
  const failure = checkAssembly(stacks, deps);
  await expect(failure).rejects.toBeInstanceOf(NoCredentialsError);
  await expect(failure).rejects.toThrow(
    'npm run deploy needs AWS credentials and a Region, and the CDK CLI found none: Network, Cluster synthesized without an account and Region.',
  );
  expect(cfnMock.calls()).toHaveLength(0);
});

test('first deployment: stacks that do not exist yet are new, nothing is refused', async () => {
  cfnMock.on(GetTemplateCommand).rejects(
    Object.assign(new Error('Stack with id guard-Network does not exist'), {
      name: 'ValidationError',
    }),
  );
  const { plans, problems } = await checkAssembly(synthesize(ENV), deps);
  expect(plans.map((p) => [p.stackName, p.deployed])).toEqual([
    ['guard-Network', undefined],
    ['guard-Cluster', undefined],
  ]);
  expect(problems).toEqual([]);
  expect(cfnMock.commandCalls(GetTemplateCommand).map((c) => c.args[0].input)).toEqual([
    { StackName: 'guard-Network', TemplateStage: 'Original' },
    { StackName: 'guard-Cluster', TemplateStage: 'Original' },
  ]);
});

test('a security group replaced under its reader is refused before anything is deployed', async () => {
  const deployed = synthesize(ENV, 'brokers');
  const byName = (stacks: SynthesizedStack[], name: string) =>
    stacks.find((s) => s.stackName === name)!;
  for (const name of ['guard-Network', 'guard-Cluster']) {
    cfnMock
      .on(GetTemplateCommand, { StackName: name })
      .resolves({ TemplateBody: JSON.stringify(byName(deployed, name).template) });
  }
  const { problems } = await checkAssembly(synthesize(ENV, 'brokers, new description'), deps);
  expect(problems).toEqual([
    {
      stack: 'guard-Network',
      logicalId: expect.stringMatching(/^PublishOutputFnGetAttBrokers[0-9A-F]+GroupId/),
      message: expect.stringMatching(
        /^guard-Cluster reads this output with Fn::GetStackOutput, and Brokers[0-9A-F]+ is replaced \(create-only property GroupDescription changes\): they would keep the old value\.$/,
      ),
    },
  ]);
  expect(formatProblems(problems)).toMatch(
    /^Not deployed: 1 change would fail or leave a stack on a deleted resource:\n {2}- guard-Network PublishOutput/,
  );
});

test('other CloudFormation errors are not mistaken for a new stack', async () => {
  cfnMock
    .on(GetTemplateCommand)
    .rejects(Object.assign(new Error('Access denied'), { name: 'AccessDenied' }));
  await expect(checkAssembly(synthesize(ENV), deps)).rejects.toThrow('Access denied');
});

test('context settings go to synth, --allow-removal and --yes to the guard, everything else to cdk deploy', () => {
  expect(
    splitArgs([
      '-c',
      'profile=prod',
      '--require-approval',
      'never',
      '--allow-removal',
      'user:billing',
      '--context',
      'azCount=3',
      '--context=x=1',
      '--allow-removal=topic:orders',
      '--yes',
    ]),
  ).toEqual({
    context: ['-c', 'profile=prod', '--context', 'azCount=3', '--context=x=1'],
    deploy: ['--require-approval', 'never'],
    allowRemoval: ['user:billing', 'topic:orders'],
    yes: true,
  });
  expect(splitArgs([]).yes).toBe(false);
});

/** A stack with two nested stacks of parameters (like the SCRAM users'), one nested deeper. */
function synthesizeNested(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'deploy-guard-nested-'));
  const app = new App({ outdir, context });
  const parent = new Stack(app, 'Parent', { env: ENV, stackName: 'guard-Parent' });
  for (const id of ['Users0', 'Users1']) {
    const nested = new NestedStack(parent, id);
    new ssm.StringParameter(nested, 'Param', { stringValue: id });
    if (id === 'Users1') {
      new ssm.StringParameter(new NestedStack(nested, 'Deeper'), 'Param', { stringValue: 'x' });
    }
  }
  app.synth();
  return readAssembly(outdir);
}

test.each([
  ['as an app synthesizes it (nested templates found through the asset manifest)', {}],
  [
    'as the CDK CLI synthesizes it (asset and path metadata)',
    { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  ],
])('nested stack templates are read from the assembly, %s', (_, context) => {
  const [parent] = synthesizeNested(context);
  const shape = (n: NestedTemplate): unknown => [
    n.label,
    Object.values(n.template.Resources ?? {}).map((r) => r.Type),
    n.nested.map(shape),
  ];
  expect(parent.nested.map(shape)).toEqual([
    ['Users0', ['AWS::SSM::Parameter'], []],
    [
      'Users1',
      ['AWS::SSM::Parameter', 'AWS::CloudFormation::Stack'],
      [['Deeper', ['AWS::SSM::Parameter'], []]],
    ],
  ]);
});

test('deployed nested stacks are found by their physical id (ListStackResources, all pages), then GetTemplate', async () => {
  const [parent] = synthesizeNested();
  const [users0, users1] = parent.nested;
  const arn = (name: string) => `arn:aws:cloudformation:eu-west-1:111122223333:stack/${name}/1`;
  const nestedResource = (logicalId: string, physicalId?: string) => ({
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: 'CREATE_COMPLETE' as const,
    LastUpdatedTimestamp: new Date(0),
  });
  const template = (t: unknown) => ({ TemplateBody: JSON.stringify(t) });
  const mockDeployed = () => {
    cfnMock
      .on(GetTemplateCommand, { StackName: 'guard-Parent' })
      .resolves(template(parent.template));
    cfnMock
      .on(ListStackResourcesCommand, { StackName: 'guard-Parent' })
      .resolvesOnce({
        StackResourceSummaries: [nestedResource(users0.logicalId, arn('u0'))],
        NextToken: 'p2',
      })
      .resolvesOnce({ StackResourceSummaries: [nestedResource(users1.logicalId, arn('u1'))] });
    cfnMock.on(GetTemplateCommand, { StackName: arn('u0') }).resolves(template(users0.template));
    cfnMock.on(GetTemplateCommand, { StackName: arn('u1') }).resolves(template(users1.template));
    // The deeper nested stack's creation failed: it has no physical id, so nothing is deployed.
    cfnMock
      .on(ListStackResourcesCommand, { StackName: arn('u1') })
      .resolves({ StackResourceSummaries: [nestedResource(users1.nested[0].logicalId)] });
  };
  mockDeployed();

  const deployed = await deployedStack(
    new CloudFormationClient({ region: 'eu-west-1' }),
    'guard-Parent',
  );
  expect(deployed?.nested.map((n) => [n.label, n.nested.length])).toEqual([
    ['Users0', 0],
    ['Users1', 0],
  ]);
  expect(cfnMock.commandCalls(ListStackResourcesCommand).map((c) => c.args[0].input)).toEqual([
    { StackName: 'guard-Parent', NextToken: undefined },
    { StackName: 'guard-Parent', NextToken: 'p2' },
    { StackName: arn('u1'), NextToken: undefined },
  ]);

  // Compared with the synthesized side: a plan per nested stack, the deeper one new.
  cfnMock.reset();
  mockDeployed();
  const { plans } = await checkAssembly([parent], deps);
  expect(plans.map((p) => [p.stackName, p.deployed !== undefined])).toEqual([
    ['guard-Parent', true],
    ['guard-Parent/Users0', true],
    ['guard-Parent/Users1', true],
    ['guard-Parent/Users1/Deeper', false],
  ]);
});
