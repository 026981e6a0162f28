import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createOnlyPaths } from '../tools/deploy/replacement';
import { functionLogGroups } from './helpers/cfn';
import {
  acknowledgements,
  expectOnlyCustomerManagedPolicies,
  FEATURE_FLAGS,
  synthesize,
  synthWithBuiltinValidation,
} from './helpers/synth';

test("the scenarios below synthesize with aws-cdk-lib's built-in CloudFormation validation on (off in other unit tests)", () => {
  const invalidApp = () => {
    const app = new App({ context: FEATURE_FLAGS });
    new CfnResource(new Stack(app, 'Invalid'), 'Queue', {
      type: 'AWS::SQS::Queue',
      properties: { NotAProperty: 1 },
    });
    return app;
  };
  expect(() => synthWithBuiltinValidation(invalidApp())).toThrow(
    /NotAProperty: Additional properties are not allowed/,
  );
  // test/setup/builtin-validation.ts: off elsewhere, to save ~7 s of CPU per test file.
  expect(() => invalidApp().synth()).not.toThrow();
});

describe.each(['dev', 'prod'])('the whole app, profile %s', (profile) => {
  // WHEN the app is synthesized with the AwsSolutions, NIST 800-53 R5 and HIPAA packs
  // THEN synth does not throw: cdk-nag v3 fails synth on any unacknowledged finding, and so does
  // aws-cdk-lib's built-in CloudFormation validation (on here, as in `cdk synth`; cdk.json's
  // @aws-cdk/core:validateAgainstDefaultRules makes its findings errors)
  const { stage } = synthesize({ profile }, { builtinValidation: true });
  const stacks = stage.node.children.filter(Stack.isStack);

  test("each function says what it is and logs to its own group under the platform's prefix", () => {
    const logGroupByFunction: Record<string, string> = {};
    for (const stack of stage.node.findAll().filter(Stack.isStack)) {
      for (const [description, logGroup] of functionLogGroups(Template.fromStack(stack))) {
        logGroupByFunction[description] = logGroup;
      }
    }
    const prefix = `/msk-secure-${profile}/`;
    // [description, construct path of its provider, log group name]
    const customResources = [
      [
        'Default security group restriction',
        'Network/Network/RestrictDefaultSecurityGroup',
        'restrict-default-security-group',
      ],
      ['SCRAM secret association', 'Cluster/ScramSecretAssociation', 'scram-secret-association'],
      ['MSK bootstrap brokers', 'Cluster/BootstrapBrokers', 'bootstrap-brokers'],
      ['Kafka ACLs', 'Cluster/KafkaAcls', 'kafka-acls'],
    ];
    const expected: Record<string, string> = {
      'MSK consumer consumer of topic orders (msk-secure-stack)': `${prefix}lambda/consumer`,
    };
    for (const [what, construct, name] of customResources) {
      expected[`${what} custom resource (msk-secure-stack)`] = `${prefix}custom-resources/${name}`;
      const framework = `AWS CDK resource provider framework - onEvent (msk-secure-${profile}/${construct}/Provider/Provider)`;
      expected[framework] = `${prefix}custom-resources/${name}-framework`;
    }
    expect(logGroupByFunction).toEqual(expected);
  });

  test("each function's role: assumed by Lambda only, described after what runs with it", () => {
    const byLambdaOnly = {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
    };
    const descriptions: string[] = [];
    for (const stack of stage.node.findAll().filter(Stack.isStack)) {
      const template = Template.fromStack(stack);
      const roles = template.findResources('AWS::IAM::Role');
      const functions = template.findResources('AWS::Lambda::Function');
      for (const fn of Object.values(functions)) {
        const role = roles[fn.Properties.Role['Fn::GetAtt'][0]].Properties;
        expect(role.AssumeRolePolicyDocument).toEqual(byLambdaOnly);
        // A provider framework's role is named after the handler the framework calls.
        const handler = fn.Properties.Environment?.Variables?.USER_ON_EVENT_FUNCTION_ARN;
        expect(role.Description).toBe(
          handler
            ? `Provider framework of ${functions[handler['Fn::GetAtt'][0]].Properties.Description}`
            : `Execution role of ${fn.Properties.Description}`,
        );
        descriptions.push(role.Description);
      }
    }
    // The consumer, and each of the four custom resources' handler and framework.
    expect(descriptions).toHaveLength(9);
  });

  test('every cdk-nag acknowledgement gives its reason (the audit trail of each exception)', () => {
    const acknowledged = acknowledgements(stage);
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const [rule, reason] of acknowledged) {
      // A sentence, not a placeholder: at least ten words.
      expect({ rule, words: reason.split(/\s+/).filter(Boolean).length >= 10 }).toEqual({
        rule,
        words: true,
      });
    }
  });

  test('is environment-agnostic when no account/Region is given', () => {
    for (const stack of stacks) {
      expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
      expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    }
  });

  test('termination protection exactly when data is retained (prod): destroy refuses before deleting anything', () => {
    for (const stack of stacks) {
      expect([stack.node.id, stack.terminationProtection]).toEqual([
        stack.node.id,
        profile === 'prod',
      ]);
    }
  });

  test('no IAM role in any template has an AWS-managed or inline policy (the README says so)', () => {
    for (const stack of stacks) expectOnlyCustomerManagedPolicies(Template.fromStack(stack));
  });

  test('every customer-managed policy is attached to a role of its own stack', () => {
    let policies = 0;
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      const roles = Object.keys(template.findResources('AWS::IAM::Role'));
      for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy'))) {
        policies += 1;
        expect(policy.Properties.Roles).toEqual([{ Ref: expect.any(String) }]);
        expect(roles).toContain(policy.Properties.Roles[0].Ref);
      }
    }
    expect(policies).toBeGreaterThan(5);
  });

  test("the deploy guard knows every resource type's create-only properties", () => {
    for (const stack of stacks) {
      const types = Object.values(
        Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>,
      )
        .map((r) => r.Type)
        .filter((type) => !type.startsWith('Custom::'));
      // Missing: run `python3 tools/deploy/create-only-properties.py cdk.out` after `npm run synth`.
      expect(types.filter((type) => createOnlyPaths(type) === undefined)).toEqual([]);
    }
  });

  test('alarms and a dashboard in both profiles; the CPU-credit alarm only on t3 brokers (dev)', () => {
    const monitoring = Template.fromStack(stage.monitoring);
    const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'));
    // Plain alarms name their metric; math alarms (CPU, controller count) name it in Metrics.
    const metrics = alarms
      .flatMap((a) => [
        a.Properties.MetricName,
        ...(a.Properties.Metrics ?? []).map(
          (m: { MetricStat?: { Metric: { MetricName: string } } }) =>
            m.MetricStat?.Metric.MetricName,
        ),
      ])
      .filter(Boolean);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'KafkaDataLogsDiskUsed',
        'UnderReplicatedPartitions',
        'OfflinePartitionsCount',
        'ActiveControllerCount',
        'Errors',
        'Throttles',
        'OffsetLag',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
      ]),
    );
    expect(metrics.includes('CPUCreditBalance')).toBe(profile === 'dev');
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
      expect(alarm.Properties.AlarmDescription).toBeTruthy();
    }
    monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(Object.keys(monitoring.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['AlarmTopicArn', 'DashboardName', 'DashboardUrl']),
    );
  });

  test('templates match the snapshot (asset hashes masked)', () => {
    for (const stack of stacks) {
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot(stack.node.id);
    }
  });
});
