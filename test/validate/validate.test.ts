/**
 * `npm run validate` end to end on two tiny synthesized-looking cloud assemblies (templates and
 * manifest as `cdk synth -o DIR` writes them), through `--templates`: no synthesis here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, parseArgs, validateTemplates } from '../../tools/validate/run';
import type { CfnTemplate } from '../../tools/shared/template';

const PRODUCER: CfnTemplate = {
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'orders' } },
  },
  Outputs: { TopicArn: { Value: { Ref: 'Topic' } } },
};

function consumer(statements: unknown[], extra: CfnTemplate['Resources'] = {}): CfnTemplate {
  return {
    Resources: {
      Policy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      },
      ...extra,
    },
  };
}

const TOPIC_ARN = {
  'Fn::GetStackOutput': {
    StackName: 'fixture-Producer',
    OutputName: 'TopicArn',
    Region: { Ref: 'AWS::Region' },
  },
};

const CLEAN = consumer([{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN }]);

const BROKEN = consumer(
  [
    // The cross-stack reference resolves to an SNS topic ARN: a Kafka topic ARN is wanted.
    { Effect: 'Allow', Action: 'kafka-cluster:ReadData', Resource: TOPIC_ARN },
    { Effect: 'Allow', Action: 'sns:Publsh', Resource: TOPIC_ARN },
    {
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: TOPIC_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
    },
  ],
  {
    // Control Tower: retained less than a year (CT.CLOUDWATCH.PR.2), no KMS key (CT.CLOUDWATCH.PR.3);
    // cfn-lint: a property CloudFormation does not have (E3002); it also sees sns:Publsh (W3037).
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7, Colour: 'blue' } },
  },
);

/**
 * Writes a cloud assembly with a stage, as `cdk synth -o DIR` does: `<dir>/manifest.json` names
 * the stage's `<dir>/assembly-fixture/{manifest.json,*.template.json}`.
 */
function writeAssembly(dir: string, consumerTemplate: CfnTemplate): string {
  const assembly = join(dir, 'assembly-fixture');
  mkdirSync(assembly, { recursive: true });
  const stacks: Record<string, CfnTemplate> = {
    'fixture-Producer': PRODUCER,
    'fixture-Consumer': consumerTemplate,
  };
  const artifacts: Record<string, unknown> = {};
  for (const [stackName, template] of Object.entries(stacks)) {
    const id = stackName.replace(/-/g, '');
    writeFileSync(join(assembly, `${id}.template.json`), JSON.stringify(template, null, 1));
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: 'aws://unknown-account/unknown-region',
      properties: { templateFile: `${id}.template.json`, stackName },
    };
  }
  writeFileSync(join(assembly, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  const stage = {
    type: 'cdk:cloud-assembly',
    properties: { directoryName: 'assembly-fixture', displayName: 'fixture' },
  };
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ version: '55.0.0', artifacts: { 'assembly-fixture': stage } }),
  );
  return dir;
}

let root: string;
let clean: string;
let broken: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'validate-test-'));
  clean = writeAssembly(join(root, 'clean'), CLEAN);
  broken = writeAssembly(join(root, 'broken'), BROKEN);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const variant of ['clean', 'broken']) {
    rmSync(join(tmpdir(), 'msk-secure-stack-validate-resolved', variant), {
      recursive: true,
      force: true,
    });
  }
});

test('a deliberately broken policy makes it fail', async () => {
  let output = '';
  const code = await main(['--templates', broken], (t) => (output += t));
  expect(code).toBe(1);
  expect(output).toMatch(/^broken: cfn-lint 2 \(1 warning\), control-tower 2, iam 3$/m);
  expect(output).toMatch(/cfn-lint E3002 \S+ Logs .*Colour/);
  expect(output).toMatch(/cfn-lint W3037 \[warning\] \S+ Policy .*'publsh'/);
  expect(output).toMatch(/control-tower CT\.CLOUDWATCH\.PR\.2 \S+ Logs /);
  expect(output).toMatch(/control-tower CT\.CLOUDWATCH\.PR\.3 \S+ Logs /);
  expect(output).toMatch(
    /iam resource-type-mismatch \S+ Policy .*kafka-cluster:ReadData on arn:aws:sns:us-east-1:111111111111:orders/,
  );
  expect(output).toMatch(/iam unknown-action .*sns:Publsh/);
  expect(output).toMatch(/iam dead-statement .*sns:Publish never carries kms:ViaService/);
  expect(output).toMatch(/^validate: 7 unacknowledged findings$/m);
}, 30_000);

test('the clean fixture passes all three validators (cfn-lint, cfn-guard, IAM)', async () => {
  let output = '';
  const code = await main(['--templates', clean], (t) => (output += t));
  expect(output).toMatch(/^clean: cfn-lint 0, control-tower 0, iam 0$/m);
  expect(code).toBe(0);
}, 30_000);

test('the resolved copy has the cross-stack reference as a literal ARN', async () => {
  const resolvedDir = join(root, 'resolved');
  await validateTemplates(clean, 'clean', {
    validators: ['iam'],
    acknowledgements: [],
    resolvedDir,
  });
  const template = JSON.parse(
    readFileSync(join(resolvedDir, 'fixtureConsumer.template.json'), 'utf8'),
  ) as CfnTemplate;
  expect(template.Resources!.Policy.Properties!.PolicyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: 'arn:aws:sns:us-east-1:111111111111:orders',
      },
    ],
  });
});

test('acknowledged findings no longer count, and are still reported with the reason', async () => {
  const result = await validateTemplates(broken, 'broken', {
    validators: ['iam'],
    resolvedDir: join(root, 'ack'),
    acknowledgements: [
      {
        validator: 'iam',
        rule: 'unknown-action',
        resource: 'Policy',
        reason: 'typo kept on purpose',
      },
      {
        validator: 'iam',
        rule: 'dead-statement',
        variant: 'other',
        reason: 'another variant only',
      },
    ],
  });
  expect(result.findings.map((f) => f.rule)).toEqual(['resource-type-mismatch', 'dead-statement']);
  expect(result.acknowledged).toEqual([
    {
      finding: expect.objectContaining({ rule: 'unknown-action' }),
      reason: 'typo kept on purpose',
    },
  ]);
});

test('command-line arguments', () => {
  expect(parseArgs([])).toEqual({ variants: [], templates: undefined, validators: undefined });
  expect(parseArgs(['--variant', 'prod', '--variant=iam', '--validator', 'iam'])).toEqual({
    variants: ['prod', 'iam'],
    templates: undefined,
    validators: ['iam'],
  });
  expect(() => parseArgs(['--variant', 'nope'])).toThrow(/unknown variant nope/);
  expect(() => parseArgs(['--validator', 'nope'])).toThrow(/unknown validator nope/);
  expect(() => parseArgs(['--templates'])).toThrow(/needs a value/);
});
