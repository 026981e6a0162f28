/**
 * Issue 21's template pairs, offline: the real app synthesized (without bundling or cdk-nag)
 * once per variant, one deployed through a mocked CloudFormation (nested stacks included), the
 * other checked against it by `checkAssembly`, as `npm run deploy` does.
 */
import {
  CloudFormationClient,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { checkAssembly, NestedTemplate, SynthesizedStack } from '../../tools/deploy/plan';
import { formatChanges, formatRemovals } from '../../tools/deploy/platform';
import { readAssembly } from '../../tools/shared/assembly';
import { synthesize } from '../helpers/synth';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const BILLING = {
  name: 'billing',
  produce: ['orders'],
  consume: [{ topic: 'orders', group: 'billing-*' }],
};

/** The app's stacks for these settings, bound to an account and Region as the CLI would. */
const variant = (context: Record<string, string>): SynthesizedStack[] =>
  readAssembly(synthesize(context, { nag: false }).assemblyDirectory).map((s) => ({
    ...s,
    account: ACCOUNT,
    region: REGION,
  }));

let defaults: SynthesizedStack[];
let billingInsteadOfProducer: SynthesizedStack[];
let ordersConsumer: SynthesizedStack[];
let withBilling: SynthesizedStack[];
let twoTopics: SynthesizedStack[];

beforeAll(() => {
  defaults = variant({});
  billingInsteadOfProducer = variant({ scramUsers: JSON.stringify(['consumer', BILLING]) });
  ordersConsumer = variant({ consumers: JSON.stringify([{ name: 'orders', topic: 'orders' }]) });
  withBilling = variant({ scramUsers: JSON.stringify(['consumer', 'producer', BILLING]) });
  twoTopics = variant({
    topics: JSON.stringify([
      { name: 'orders', partitions: 3 },
      { name: 'payments', partitions: 3 },
    ]),
  });
});

const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => cfnMock.reset());
const deps = { cloudFormation: (region: string) => new CloudFormationClient({ region }) };

const nestedArn = (stackName: string, n: NestedTemplate) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}-${n.logicalId}/0a1b2c3d`;

/** CloudFormation answers as if `stacks` were deployed: templates, nested stacks by physical id. */
function deployed(stacks: readonly SynthesizedStack[]): void {
  for (const stack of stacks) {
    cfnMock
      .on(GetTemplateCommand, { StackName: stack.stackName })
      .resolves({ TemplateBody: JSON.stringify(stack.template) });
    cfnMock.on(ListStackResourcesCommand, { StackName: stack.stackName }).resolves({
      StackResourceSummaries: stack.nested.map((n) => ({
        LogicalResourceId: n.logicalId,
        PhysicalResourceId: nestedArn(stack.stackName, n),
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(0),
      })),
    });
    for (const n of stack.nested) {
      cfnMock
        .on(GetTemplateCommand, { StackName: nestedArn(stack.stackName, n) })
        .resolves({ TemplateBody: JSON.stringify(n.template) });
    }
  }
}

const refusedOf = (check: Awaited<ReturnType<typeof checkAssembly>>) =>
  check.removals.refused.map((r) => [r.allow, r.message]);

describe('issue 21: settings that replace a default list', () => {
  test('(a) scramUsers without producer: the producer user is refused, billing (added) is not', async () => {
    deployed(defaults);
    const check = await checkAssembly(billingInsteadOfProducer, deps);
    expect(check.problems).toEqual([]);
    expect(refusedOf(check)).toEqual([
      [
        'user:producer',
        'SCRAM user producer: its secret AmazonMSK_msk-secure-dev_producer and its 2 ACLs are ' +
          'deleted; clients using it can no longer connect.',
      ],
    ]);
    expect(check.changes.users.changes).toEqual([
      { kind: 'added', name: 'billing', detail: 'secret AmazonMSK_msk-secure-dev_billing, 5 ACLs' },
      {
        kind: 'removed',
        name: 'producer',
        detail: 'secret AmazonMSK_msk-secure-dev_producer, 2 ACLs',
      },
    ]);

    const allowed = await checkAssembly(billingInsteadOfProducer, deps, {
      allowRemoval: ['user:producer'],
    });
    expect(allowed.removals.refused).toEqual([]);
    expect(allowed.removals.allowed.map((r) => r.allow)).toEqual(['user:producer']);
  });

  test('(b) consumers=[orders]: the consumer `consumer` is refused, saying the new group starts at LATEST', async () => {
    deployed(defaults);
    const check = await checkAssembly(ordersConsumer, deps);
    expect(check.problems).toEqual([]);
    expect(refusedOf(check)).toEqual([
      [
        'consumer:consumer',
        'consumer consumer (topic orders, group msk-secure-dev-consumer, from LATEST): its ' +
          'function and event source mapping are deleted; its failure queue is deleted with the ' +
          'failed records in it; its log group /msk-secure-dev/lambda/consumer is deleted with ' +
          'its logs; its 5 alarms are deleted; nothing processes orders for group ' +
          'msk-secure-dev-consumer any more. The new consumer orders reads orders with a new ' +
          'group msk-secure-dev-orders, which starts at LATEST (records published before it ' +
          'starts are skipped): it does not continue where msk-secure-dev-consumer stopped.',
      ],
    ]);
    expect(check.changes.consumers.changes).toEqual([
      {
        kind: 'added',
        name: 'orders',
        detail: 'topic orders, group msk-secure-dev-orders, from LATEST',
      },
      {
        kind: 'removed',
        name: 'consumer',
        detail: 'topic orders, group msk-secure-dev-consumer, from LATEST',
      },
    ]);
    expect(
      check.changes.alarms.changes.filter((c) => c.kind === 'removed').map((c) => c.name),
    ).toEqual([
      'msk-secure-dev-consumer-errors',
      'msk-secure-dev-consumer-failures-age',
      'msk-secure-dev-consumer-failures-queued',
      'msk-secure-dev-consumer-offset-lag',
      'msk-secure-dev-consumer-throttles',
    ]);

    const allowed = await checkAssembly(ordersConsumer, deps, {
      allowRemoval: ['consumer:consumer'],
    });
    expect(allowed.removals.refused).toEqual([]);
  });

  test('(c) a plain deploy after adding billing: billing, in a nested stack of its own, is refused', async () => {
    deployed(withBilling);
    const check = await checkAssembly(defaults, deps);
    expect(check.problems).toEqual([]);
    // The nested stacks were compared, found through the parent's resources.
    expect(cfnMock.commandCalls(ListStackResourcesCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'msk-secure-dev-Cluster', NextToken: undefined },
    ]);
    expect(check.plans.map((p) => p.stackName)).toContain('msk-secure-dev-Cluster/Users2');
    expect(refusedOf(check)).toEqual([
      [
        'user:billing',
        'SCRAM user billing: its secret AmazonMSK_msk-secure-dev_billing and its 5 ACLs are ' +
          'deleted; clients using it can no longer connect.',
      ],
    ]);
    // What `npm run deploy` prints before it refuses.
    expect(formatChanges(check.changes)).toBe(
      [
        'Platform changes (deployed → this deployment, nested stacks included):',
        '  SCRAM users: 1 changed, 1 removed, 1 unchanged',
        '    ~ producer: ACLs +2 −0',
        '    - billing: secret AmazonMSK_msk-secure-dev_billing, 5 ACLs',
        '  ACL bindings: 2 added, 5 removed, 4 unchanged',
        '    + User:producer DESCRIBE TOPIC orders',
        '    + User:producer WRITE TOPIC orders',
        '    - User:billing DESCRIBE GROUP billing-*',
        '    - User:billing DESCRIBE TOPIC orders',
        '    - User:billing READ GROUP billing-*',
        '    - User:billing READ TOPIC orders',
        '    - User:billing WRITE TOPIC orders',
        '  Topics: 1 unchanged',
        '  Consumers: 1 unchanged',
        '  Alarms: 15 unchanged',
        '  Stacks: 1 removed, 6 unchanged',
        '    - msk-secure-dev-Cluster/Users2',
      ].join('\n'),
    );
    expect(formatRemovals(check.removals)).toBe(
      [
        'Not deployed: 1 removal would lose data or access:',
        '  - SCRAM user billing: its secret AmazonMSK_msk-secure-dev_billing and its 5 ACLs are ' +
          'deleted; clients using it can no longer connect. To remove it anyway: ' +
          '--allow-removal user:billing',
        'Nothing was changed. If it is not what you meant, keep the setting as deployed (a ' +
          'context setting replaces the default list, it does not add to it). If it is, run ' +
          'again with `npm run deploy -- … --allow-removal <name>` for each (docs/deploying.md).',
      ].join('\n'),
    );

    const allowed = await checkAssembly(defaults, deps, { allowRemoval: ['user:billing'] });
    expect(allowed.removals.refused).toEqual([]);
    expect(formatRemovals(allowed.removals)).toBe(
      'Removal allowed by --allow-removal user:billing: SCRAM user billing: its secret ' +
        'AmazonMSK_msk-secure-dev_billing and its 5 ACLs are deleted; clients using it can no ' +
        'longer connect.',
    );
  });

  test('a topic added is not refused; the same topic removed is', async () => {
    deployed(defaults);
    const added = await checkAssembly(twoTopics, deps);
    expect(added.removals.refused).toEqual([]);
    expect(added.changes.topics.changes).toEqual([
      { kind: 'added', name: 'payments', detail: '3 partitions, replication 2' },
    ]);

    cfnMock.reset();
    deployed(twoTopics);
    const removed = await checkAssembly(defaults, deps);
    expect(refusedOf(removed)).toEqual([
      [
        'topic:payments',
        'topic payments: it is deleted with every record in it; producers and consumers of it ' +
          'fail or stop.',
      ],
    ]);
  });

  test('the same deployment again: no change, nothing refused', async () => {
    deployed(defaults);
    const check = await checkAssembly(defaults, deps);
    expect(check.removals).toEqual({ refused: [], allowed: [], unmatched: [] });
    expect(
      Object.values(check.changes).flatMap((c) => c.changes.map((x) => `${x.kind} ${x.name}`)),
    ).toEqual([]);
  });
});
