import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CostError, estimate, TemplateInput } from '../../tools/cost/estimate';
import {
  extractBlock,
  formatMarkdown,
  groupLines,
  costBlock,
  replaceBlock,
} from '../../tools/cost/format';
import { loadPriceTable } from '../../tools/cost/prices';
import { main, parseArgs, profileOf } from '../../tools/cost/run';
import { loadTemplates } from '../../tools/shared/assembly';

const FIXTURES = join(__dirname, '..', 'fixtures', 'cost');
const SMALL = join(FIXTURES, 'small');
// A frozen copy of the table's shape with its own numbers: these tests do not move with prices.
const TABLE = loadPriceTable(join(FIXTURES, 'prices.json'));

const small = (): TemplateInput[] => loadTemplates(SMALL);
const withResource = (type: string, properties: Record<string, unknown>): TemplateInput[] => [
  { stackName: 'T', template: { Resources: { R: { Type: type, Properties: properties } } } },
];

describe('estimate on a small fixture template', () => {
  const e = estimate('dev', small(), TABLE);

  test('prices brokers by type × count, storage by GiB × brokers, endpoints per subnet', () => {
    const line = (id: string) => e.lines.filter((l) => l.logicalId === id);
    expect(line('Cluster').map((l) => [l.item, l.quantity, l.unitPrice, l.monthly])).toEqual([
      ['MSK brokers (kafka.t3.small)', 2, 0.0456 * 730, 2 * 0.0456 * 730],
      ['MSK broker storage (EBS)', 40, 0.1, 40 * 0.1],
    ]);
    expect(line('SqsEndpoint').map((l) => [l.item, l.quantity])).toEqual([
      ['Interface VPC endpoints (sqs)', 2],
    ]);
    // Gateway endpoints and on-demand mappings cost nothing of their own.
    expect(line('S3Endpoint')).toEqual([]);
    expect(line('Mapping')).toEqual([]);
    // A metric-math alarm is billed per metric it reads.
    expect(line('CpuAlarm').map((l) => l.quantity)).toEqual([2]);
    expect(line('DiskAlarm').map((l) => l.quantity)).toEqual([1]);
  });

  test('totals: the sum of the rows as shown (cents)', () => {
    expect([e.fixedTotal, e.usageTotal, e.total]).toEqual([126.88, 2.19, 129.07]);
    const rows = groupLines(e.lines);
    expect(Math.round(rows.reduce((s, r) => s + r.monthly, 0) * 100) / 100).toBe(e.fixedTotal);
    expect(e.unpricedTypes).toEqual([
      'AWS::EC2::Subnet',
      'AWS::EC2::VPCEndpoint (Gateway)',
      'AWS::IAM::Role',
      'AWS::Lambda::EventSourceMapping (on-demand)',
      'AWS::Lambda::Function',
      'AWS::SSM::Parameter',
    ]);
  });

  test('formats one markdown table, largest first, with the total and the usage lines', () => {
    expect(formatMarkdown(e)).toBe(readFileSync(join(FIXTURES, 'small.expected.md'), 'utf8'));
  });

  test('the markdown is as prettier formats it: docs/operations.md keeps it through `npm run format`', () => {
    const markdown = formatMarkdown(e);
    const prettier = spawnSync(
      process.execPath,
      [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', 'docs/operations.md'],
      { cwd: join(__dirname, '..', '..'), input: markdown, encoding: 'utf8' },
    );
    expect(prettier.stderr).toBe('');
    expect(prettier.stdout).toBe(markdown);
  });

  test('provisioned pollers are priced per event poller unit at the minimum', () => {
    const mapping = estimate(
      'prod',
      withResource('AWS::Lambda::EventSourceMapping', {
        ProvisionedPollerConfig: { MinimumPollers: 12, MaximumPollers: 20 },
      }),
      TABLE,
    );
    expect(mapping.lines.map((l) => [l.item, l.quantity, l.unverified])).toEqual([
      ['Lambda provisioned event pollers', 2, true],
    ]);
  });
});

describe('estimate refuses what it cannot price', () => {
  test.each([
    [
      'an unknown resource type',
      withResource('AWS::Foo::Bar', {}),
      /T\/R \(AWS::Foo::Bar\): resource type not in tools\/cost\/prices.json/,
    ],
    [
      'an unpriced instance type',
      withResource('AWS::MSK::Cluster', {
        NumberOfBrokerNodes: 3,
        BrokerNodeGroupInfo: {
          InstanceType: 'kafka.m5.large',
          StorageInfo: { EBSStorageInfo: { VolumeSize: 10 } },
        },
      }),
      /no price "msk.broker.kafka.m5.large"/,
    ],
    [
      'a broker count that is not a literal',
      withResource('AWS::MSK::Cluster', {
        NumberOfBrokerNodes: { Ref: 'Brokers' },
        BrokerNodeGroupInfo: { InstanceType: 'kafka.t3.small' },
      }),
      /NumberOfBrokerNodes is \{"Ref":"Brokers"\}, expected a literal number/,
    ],
    [
      'an advanced SSM parameter',
      withResource('AWS::SSM::Parameter', { Tier: 'Advanced' }),
      /Tier "Advanced" is billed/,
    ],
  ])('%s', (_what, templates, message) => {
    expect(() => estimate('dev', templates, TABLE)).toThrow(CostError);
    expect(() => estimate('dev', templates, TABLE)).toThrow(message);
  });
});

describe('cost blocks', () => {
  const block = costBlock('dev', '| a |\n');

  test('a block is the markdown between its profile markers', () => {
    expect(block).toBe('<!-- cost:dev:start -->\n\n| a |\n\n<!-- cost:dev:end -->');
    const doc = `# x\n\ntext\n\n${block}\n\nmore\n`;
    expect(extractBlock(doc, 'dev')).toBe(block);
    expect(extractBlock(doc, 'prod')).toBeUndefined();
  });

  test('replaceBlock replaces in place, or appends a Cost section once', () => {
    const doc = `# x\n\n${block}\n\nmore $& text\n`;
    const next = costBlock('dev', '| b |\n');
    expect(replaceBlock(doc, 'dev', next)).toBe(`# x\n\n${next}\n\nmore $& text\n`);
    const appended = replaceBlock('# x\n', 'prod', costBlock('prod', '| p |\n'));
    expect(appended).toMatch(/^# x\n\n## Cost\n\n.*\n\n<!-- cost:prod:start -->/);
    const twice = replaceBlock(appended, 'dev', next);
    expect(twice.match(/## Cost/g)).toHaveLength(1);
    expect(extractBlock(twice, 'dev')).toBe(next);
  });
});

describe('command line', () => {
  test('parses context, templates and modes', () => {
    expect(
      parseArgs([
        '-c',
        'profile=prod',
        '-c',
        'azCount=3',
        '--templates',
        'prod=/t',
        '--check-docs',
      ]),
    ).toMatchObject({
      profile: 'prod',
      context: ['azCount=3'],
      templates: [{ name: 'prod', dir: '/t' }],
      mode: 'check-docs',
    });
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument --bogus/);
    expect(() => parseArgs(['--check-docs', '--write-docs'])).toThrow(/one of/);
    expect(parseArgs(['--doc', 'x/ops.md']).doc).toMatch(/x[\\/]ops\.md$/);
    // The flags moved with the tables (README.md → docs/operations.md); the old ones say so.
    expect(() => parseArgs(['--check-readme'])).toThrow(/--check-readme is now --check-docs/);
    expect(() => parseArgs(['--write-readme'])).toThrow(/--write-readme is now --write-docs/);
    expect(() => parseArgs(['--readme', 'R.md'])).toThrow(/--readme is now --doc/);
  });

  test('the profile comes from the stage description when not named', () => {
    expect(profileOf(small())).toBe('dev');
  });

  test('--write-docs then --check-docs on fixture templates (no synth)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cost-test-'));
    const doc = join(dir, 'operations.md');
    writeFileSync(doc, '# Operations\n');
    const out: string[] = [];
    const run = (...args: string[]) =>
      main(['--templates', SMALL, '--doc', doc, ...args], (t) => out.push(t));

    expect(await run('--check-docs')).toBe(1);
    expect(out.join('')).toMatch(/no <!-- cost:dev:start -->.*\n.*npm run cost -- --write-docs/);
    expect(await run('--write-docs')).toBe(0);
    const written = readFileSync(doc, 'utf8');
    expect(written).toMatch(/## Cost\n[\s\S]*<!-- cost:dev:start -->[\s\S]*fixed total/);
    expect(await run('--check-docs')).toBe(0);

    writeFileSync(doc, written.replace('fixed total', 'fixed totals'));
    expect(await run('--check-docs')).toBe(1);
  });

  test('printed for a human: the tables the doc holds, without the marker lines', async () => {
    const out: string[] = [];
    expect(await main(['--templates', SMALL], (t) => out.push(t))).toBe(0);
    const printed = out.join('');
    expect(printed).not.toContain('<!--');
    expect(printed).toMatch(/^\*\*dev\*\*: \$[\s\S]*\| item +\|[\s\S]*\*\*total with usage\*\*/);
    // Exactly the block's content: the block is the printed text between its markers.
    expect(costBlock('dev', printed)).toBe(
      costBlock('dev', formatMarkdown(estimate('dev', small(), loadPriceTable()))),
    );
  });
});

describe('a NAT instance (dev): instance-hours, root volume, public IP, detailed monitoring', () => {
  // The real table: the fixture's frozen copy predates EC2 instances.
  const table = loadPriceTable();
  const nat = {
    InstanceType: 't4g.nano',
    SourceDestCheck: false,
    Monitoring: true,
    CreditSpecification: { CPUCredits: 'standard' },
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', VolumeSize: 8 } }],
    NetworkInterfaces: [{ DeviceIndex: '0', AssociatePublicIpAddress: true }],
  };

  test('priced per line, and its data has no processing charge', () => {
    const e = estimate('dev', withResource('AWS::EC2::Instance', nat), table);
    expect(e.lines.map((l) => [l.item, l.quantity, l.monthly])).toEqual([
      ['NAT instances (t4g.nano)', 1, 0.0042 * 730],
      ['EC2 instance storage (EBS gp3)', 8, 8 * 0.08],
      ['Public IPv4 addresses (NAT)', 1, 0.005 * 730],
      ['EC2 detailed monitoring metrics', 7, 7 * 0.3],
    ]);
    expect(e.fixedTotal).toBe(9.46);
    expect(e.usage.find((u) => u.item.startsWith('NAT'))).toMatchObject({
      item: 'NAT instance data (no processing charge)',
      monthly: 0,
    });
    expect(e.notes.some((n) => n.includes('CPU credits'))).toBe(false);
  });

  test('refuses a root volume whose size is the AMI’s (not in the template)', () => {
    const withoutMappings: Record<string, unknown> = { ...nat };
    delete withoutMappings.BlockDeviceMappings;
    expect(() =>
      estimate('dev', withResource('AWS::EC2::Instance', withoutMappings), table),
    ).toThrow(/BlockDeviceMappings is missing, expected a literal array/);
  });
});
