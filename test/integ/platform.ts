/**
 * The integ app: the real `MskSecureStage` with the integ profile (`settings.ts`), a test-only
 * producer function, and `@aws-cdk/integ-tests-alpha` assertions that run in the caller's
 * account when the Assertions stack deploys (`npm run integ`, docs/integ.md).
 *
 * The assertions run in this order, each after the previous one succeeded (`next`), each a
 * bounded wait (`waitForAssertions` with a total timeout, well under the hour CloudFormation
 * gives a custom resource), so that a failing one fails the deployment:
 *
 * 1. the cluster is ACTIVE, and `ListScramSecrets` returns exactly the users' secrets;
 * 2. the bootstrap-broker SSM parameters hold brokers on 9096 (SCRAM) and 9098 (IAM);
 * 3. the consumer's event source mapping is Enabled;
 * 4. the producer sends one record over SCRAM (user `producer`) and one over IAM (its role);
 * 5. the consumer logs a `Batch processed` line without failures, and a line for each record;
 * 6. the fail marker `{"fail":true}` makes `processRecord` throw, and after Lambda's retries
 *    the on-failure queue holds one message.
 */
import * as path from 'node:path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ExpectedResult,
  IApiCall,
  IntegTest,
  Match,
  WaiterStateMachineOptions,
} from '@aws-cdk/integ-tests-alpha';
import { addCompliancePacks } from '../../lib/compliance';
import { AppConfig, loadConfig } from '../../lib/config';
import {
  createEncryptedLogGroup,
  EncryptedLogs,
} from '../../secure-msk-constructs/constructs/encrypted-logs';
import {
  grantOnAllResources,
  SecureFunction,
} from '../../secure-msk-constructs/constructs/secure-function';
import { MskSecureStage } from '../../lib/msk-secure-stage';
import { PRODUCER_ENV, ProduceRequest } from './producer';
import {
  FAIL_MARKER,
  INTEG_SETTINGS,
  INTEG_STEP_METADATA,
  INTEG_SCRAM_USER,
  INTEG_TOPIC,
  RECORD_KEYS,
} from '../../tools/integ/settings';

export interface IntegPlatform {
  readonly config: AppConfig;
  readonly stage: MskSecureStage;
  /** The test-only stack: the producer and every assertion. */
  readonly assertions: Stack;
  readonly producer: SecureFunction;
  readonly integ: IntegTest;
}

/** Bounded waits, in one place: the sum is the longest the Assertions stack can take. */
export const WAITS = {
  // Steps that should pass at once still wait briefly: only a waiting assertion fails the
  // deployment (without one, integ-tests-alpha reports a mismatch in a stack output only).
  immediate: { totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) },
  clusterActive: { totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) },
  mappingEnabled: { totalTimeout: Duration.minutes(15), interval: Duration.seconds(20) },
  // A just-associated SCRAM secret can take minutes to reach the brokers (MSK syncs
  // credentials periodically, up to about 10 minutes for a changed password).
  produceScram: { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) },
  produceIam: { totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) },
  consumed: { totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) },
  produceMarker: { totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) },
  // Lambda's default retries (10 with an on-failure destination), then the queue.
  failureQueued: { totalTimeout: Duration.minutes(25), interval: Duration.seconds(30) },
} as const satisfies Record<string, WaiterStateMachineOptions>;

/** A regular expression that matches exactly one of `values` (which hold no metacharacters). */
const anyOf = (values: readonly string[]): string => `^(${values.join('|')})$`;

/**
 * Builds the integ app in `app`: the stage, the Assertions stack inside it, the assertions and
 * the cdk-nag packs the real app registers (`bin/app.ts`). The stacks are environment-agnostic,
 * so the templates the snapshot holds are the ones `npm run integ` deploys.
 */
export function buildIntegPlatform(app: App): IntegPlatform {
  const config = loadConfig({ ...INTEG_SETTINGS });
  const stage = new MskSecureStage(app, config.clusterName, { config });
  const { network, cluster } = stage;
  const consumer = stage.consumer.consumer;

  const assertions = new Stack(stage, 'Assertions', {
    description: `msk-secure-stack integ test only: producer and assertions (cluster ${config.clusterName})`,
  });
  const producer = addProducer(assertions, stage, config);

  const integ = new IntegTest(app, 'Platform', {
    testCases: [network, cluster, stage.consumer, stage.monitoring],
    assertionStack: assertions,
    // One deployment, then destroy: nothing here tests an update from a previous version.
    stackUpdateWorkflow: false,
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
  const deployAssert = integ.assertions;
  const chain: IApiCall[] = [];
  /** Runs `call` after the previous step; `label` names it in the template and the run's report. */
  const step = (label: string, call: IApiCall): IApiCall => {
    const resource = call.node.findChild('Default').node.defaultChild as CfnResource;
    resource.addMetadata(INTEG_STEP_METADATA, `${chain.length + 1}. ${label}`);
    chain.at(-1)?.next(call);
    chain.push(call);
    return call;
  };
  const clusterArn = cluster.msk.clusterArn;

  // 1. The cluster, and exactly our SCRAM secrets on it.
  step(
    'cluster is ACTIVE (Kafka DescribeClusterV2)',
    deployAssert
      .awsApiCall('Kafka', 'describeClusterV2', { ClusterArn: clusterArn })
      .assertAtPath('ClusterInfo.State', ExpectedResult.stringLikeRegexp('^ACTIVE$'))
      .waitForAssertions(WAITS.clusterActive),
  );
  const secretArns = cluster.users.all.map((secret) => secret.secretArn);
  step(
    "ListScramSecrets returns exactly the SCRAM users' secrets",
    deployAssert
      .awsApiCall('Kafka', 'listScramSecrets', { ClusterArn: clusterArn })
      .expect(
        // A list literal matches only a list of that length; each entry must be one of ours
        // (ARNs hold no RegExp metacharacters). MSK lists an association once.
        ExpectedResult.objectLike({
          SecretArnList: secretArns.map(() => Match.stringLikeRegexp(anyOf(secretArns))),
        }),
      )
      .waitForAssertions(WAITS.immediate),
  );

  // 2. The bootstrap-broker parameters: non-empty, every broker on its port.
  for (const [auth, port] of [
    ['scram', 9096],
    ['iam', 9098],
  ] as const) {
    step(
      `SSM /${config.clusterName}/bootstrap-brokers/${auth}: brokers on port ${port}`,
      deployAssert
        .awsApiCall('SSM', 'getParameter', {
          Name: `/${config.clusterName}/bootstrap-brokers/${auth}`,
        })
        .assertAtPath(
          'Parameter.Value',
          ExpectedResult.stringLikeRegexp(`^[^,:]+:${port}(,[^,:]+:${port})*$`),
        )
        .waitForAssertions(WAITS.immediate),
    );
  }

  // 3. The trigger is up (an MSK mapping can stay in Creating for minutes).
  step(
    "the consumer's event source mapping is Enabled",
    deployAssert
      .awsApiCall('Lambda', 'getEventSourceMapping', {
        UUID: consumer.eventSourceMapping.eventSourceMappingId,
      })
      .assertAtPath('State', ExpectedResult.stringLikeRegexp('^Enabled$'))
      .waitForAssertions(WAITS.mappingEnabled),
  );

  // 4. One record over SCRAM, one over IAM, through the CLI's connection code.
  const produce = (request: ProduceRequest, waits: WaiterStateMachineOptions): IApiCall =>
    deployAssert
      .invokeFunction({
        functionName: producer.function.functionName,
        payload: JSON.stringify(request),
      })
      .expect(
        ExpectedResult.objectLike({
          // The CLI's own output line, as the function's JSON result.
          Payload: JSON.stringify(`Sent 1 message to ${INTEG_TOPIC} (${request.auth}).`),
        }),
      )
      .waitForAssertions(waits);
  step(
    `producer sends one record over SCRAM (user ${INTEG_SCRAM_USER})`,
    produce(
      { auth: 'scram', key: RECORD_KEYS.scram, message: JSON.stringify({ integ: 'scram' }) },
      WAITS.produceScram,
    ),
  );
  step(
    'producer sends one record over IAM (its role)',
    produce(
      { auth: 'iam', key: RECORD_KEYS.iam, message: JSON.stringify({ integ: 'iam' }) },
      WAITS.produceIam,
    ),
  );

  // 5. The consumer processed them: a clean batch summary, and one DEBUG line per record.
  const logLine = (filterPattern: string, atPath: string, expected: string): IApiCall =>
    deployAssert
      .awsApiCall('CloudWatchLogs', 'filterLogEvents', {
        logGroupName: consumer.logGroupName,
        filterPattern,
        limit: 1,
      })
      // The log line is JSON: the response is flattened with it parsed, so
      // `events.0.message.<field>` is a field of the first matching line.
      .assertAtPath(`events.0.message.${atPath}`, ExpectedResult.stringLikeRegexp(`^${expected}$`))
      .waitForAssertions(WAITS.consumed);
  step(
    'consumer logs "Batch processed" with no failure',
    logLine(
      '{ ($.message = "Batch processed") && ($.failed = 0) && ($.processed > 0) }',
      'message',
      'Batch processed',
    ),
  );
  for (const key of [RECORD_KEYS.scram, RECORD_KEYS.iam]) {
    step(
      `consumer logs the record with key ${key}`,
      logLine(`{ ($.message = "Record") && ($.key = "${key}") }`, 'key', key),
    );
  }

  // 6. The fail marker: processRecord throws, Lambda retries, then the on-failure queue.
  step(
    'producer sends the fail marker {"fail":true} (SCRAM)',
    produce(
      { auth: 'scram', key: RECORD_KEYS.marker, message: JSON.stringify(FAIL_MARKER) },
      WAITS.produceMarker,
    ),
  );
  step(
    'consumer logs "Record failed" (processRecord threw)',
    logLine('{ ($.message = "Record failed") && ($.level = "ERROR") }', 'message', 'Record failed'),
  );
  step(
    "after Lambda's retries the on-failure queue holds one message",
    deployAssert
      .awsApiCall('SQS', 'getQueueAttributes', {
        QueueUrl: consumer.failureQueue!.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      })
      .expect(
        // Unflattened, so the count stays the string SQS returns.
        ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '1' } }),
      )
      .waitForAssertions(WAITS.failureQueued),
  );

  giveFunctionsLogGroups(assertions, network.platformKey);
  // The packs of the real app, over every stack of the stage. They check the producer (a
  // SecureFunction, nag-clean as every other); cdk-nag 3.0.2 does not inspect raw `CfnResource`s,
  // which is what integ-tests-alpha's providers and waiter state machines are (docs/integ.md).
  addCompliancePacks(app, config.compliance);
  return { config, stage, assertions, producer, integ };
}

/**
 * The producer: a `SecureFunction` in the private subnets with the `clients` group, allowed
 * exactly what the CLI's code calls for the two paths:
 * - both: `kafka:GetBootstrapBrokers` (no resource type: `*` only);
 * - SCRAM: `GetSecretValue` on the `producer` user's secret, `kms:Decrypt` through Secrets
 *   Manager (Kafka ACLs let `producer` write to the first topic);
 * - IAM: `grantProduce` on the topic (Connect, DescribeTopic, WriteData; kafkajs producers are
 *   not idempotent by default, so no WriteDataIdempotently).
 */
function addProducer(scope: Stack, stage: MskSecureStage, config: AppConfig): SecureFunction {
  const { network, cluster } = stage;
  const producer = new SecureFunction(scope, 'Producer', {
    entry: path.join(__dirname, 'producer', 'index.ts'),
    description: `integ test only: sends one record to MSK ${config.clusterName} over SCRAM or IAM`,
    encryptionKey: network.platformKey.key,
    logs: network.platformKey,
    logGroupName: 'lambda/integ-producer',
    vpc: network.vpc,
    vpcSubnets: network.privateSubnets,
    securityGroups: [network.clientSecurityGroup],
    timeout: Duration.minutes(1),
    environment: {
      [PRODUCER_ENV.clusterArn]: cluster.msk.clusterArn,
      [PRODUCER_ENV.topic]: INTEG_TOPIC,
      [PRODUCER_ENV.scramUser]: INTEG_SCRAM_USER,
    },
    unreservedReason:
      'Test-only function, invoked a few times by the integ assertions and destroyed after them.',
    noDeadLetterQueueReason:
      'Invoked synchronously by the integ assertions, which report its errors.',
  });
  grantOnAllResources(producer.role, 'BootstrapBrokers', ['kafka:GetBootstrapBrokers']);
  const secret = cluster.users.secretOf(INTEG_SCRAM_USER);
  producer.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ProducerScramSecret',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  );
  producer.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ProducerScramSecretDecrypt',
      actions: ['kms:Decrypt'],
      resources: [network.platformKey.key.keyArn],
      conditions: { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } },
    }),
  );
  cluster.msk.access.grantProduce(producer.role, INTEG_TOPIC, { idempotent: false });
  return producer;
}

/**
 * integ-tests-alpha's assertion functions (raw `AWS::Lambda::Function` resources) declare no
 * log group, so Lambda would create `/aws/lambda/<name>` on first use and nothing would delete
 * it. Each gets a log group of the Assertions stack instead (encrypted like the platform's,
 * under `/<clusterName>/integ-assertions/`), which `cdk destroy` deletes.
 */
function giveFunctionsLogGroups(stack: Stack, logs: EncryptedLogs): void {
  for (const construct of stack.node.findAll()) {
    if (
      !(construct instanceof CfnResource) ||
      construct instanceof lambda.CfnFunction ||
      construct.cfnResourceType !== 'AWS::Lambda::Function'
    ) {
      continue;
    }
    const owner = construct.node.scope!;
    const group = createEncryptedLogGroup(
      owner,
      'LogGroup',
      logs,
      `integ-assertions/${owner.node.id}`,
    );
    construct.addPropertyOverride('LoggingConfig', { LogGroup: group.logGroupName });
  }
}
