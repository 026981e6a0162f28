import { parseArgs } from 'node:util';
import { CliError } from './errors';

export const COMMANDS = ['produce', 'consume', 'topics', 'whoami', 'acls', 'dlq'] as const;
export type Command = (typeof COMMANDS)[number];
export type Auth = 'scram' | 'iam';

export interface CommonOptions {
  readonly clusterArn?: string;
  readonly clusterName?: string;
  readonly region?: string;
  readonly auth: Auth;
  readonly user: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly connectTimeoutMs: number;
}

export interface ProduceOptions {
  readonly topic: string;
  readonly count: number;
  readonly message?: string;
  readonly key?: string;
  readonly json: boolean;
  readonly stdin: boolean;
}

export interface ConsumeOptions {
  readonly topic: string;
  readonly group?: string;
  readonly fromBeginning: boolean;
  readonly max: number;
  readonly timeoutSeconds: number;
}

export interface TopicsOptions {
  readonly action: 'list' | 'describe';
  readonly name?: string;
}

export interface AclsOptions {
  readonly action: 'list';
  /** Only this SCRAM user's ACLs (principal `User:<user>`). */
  readonly user?: string;
}

/** `dlq show|replay`: read a dead-letter topic Lambda's Kafka on-failure destination writes. */
export interface DlqOptions {
  readonly action: 'show' | 'replay';
  /** The dead-letter topic (DLT). */
  readonly topic: string;
  readonly group?: string;
  readonly fromBeginning: boolean;
  /** DLT messages to read at most. */
  readonly max: number;
  readonly timeoutSeconds: number;
  /** One JSON object per line instead of tab-separated fields. */
  readonly json: boolean;
  /** replay: only these source records, `<topic>-<partition>-<offset>` (default: all read). */
  readonly only: readonly string[];
  /** replay: print what would be sent, send nothing. */
  readonly dryRun: boolean;
  /** replay: to the record's original partition instead of by key. */
  readonly samePartition: boolean;
}

export type Parsed =
  | { readonly command: 'help'; readonly about?: Command }
  | {
      readonly command: 'produce';
      readonly common: CommonOptions;
      readonly options: ProduceOptions;
    }
  | {
      readonly command: 'consume';
      readonly common: CommonOptions;
      readonly options: ConsumeOptions;
    }
  | { readonly command: 'topics'; readonly common: CommonOptions; readonly options: TopicsOptions }
  | { readonly command: 'whoami'; readonly common: CommonOptions }
  | { readonly command: 'acls'; readonly common: CommonOptions; readonly options: AclsOptions }
  | { readonly command: 'dlq'; readonly common: CommonOptions; readonly options: DlqOptions };

const COMMON_HELP = `Connection (all commands):
  --cluster-arn ARN      the MSK cluster (or --cluster-name to read /<name>/cluster-arn from SSM)
  --cluster-name NAME    cluster name of a deployed msk-secure-stack (default: msk-secure-dev)
  --region REGION        AWS Region (default: from the cluster ARN, else AWS_REGION)
  --auth scram|iam       SASL/SCRAM over TLS (port 9096) or IAM over TLS (9098); default scram
  --user NAME            SCRAM user: reads secret AmazonMSK_<cluster>_<user> (default: consumer)
  --profile NAME         AWS profile for IAM auth and AWS API calls
  --role-arn ARN         assume this role for IAM auth
  --connect-timeout MS   broker connection timeout (default 10000)
  --help                 this help`;

export const HELP: Record<Command | 'main', string> = {
  main: `Usage: npm run client -- <command> [options]

Commands:
  produce   send N messages (or stdin lines) to a topic
  consume   read records from a topic, as a group or from the beginning
  topics    list topics, or describe one
  whoami    which auth, which principal or user, which brokers
  acls      list the cluster's Kafka ACLs (IAM auth), one line per binding
  dlq       show the records Lambda sent to a dead-letter topic, or replay them

Run "npm run client -- <command> --help" for a command's options.

${COMMON_HELP}`,
  produce: `Usage: npm run client -- produce --topic T [--count N] [--message TEXT] [--key K] [--json] [--stdin]

  --topic T        topic to write to (required)
  --count N        messages to send (default 1); each gets {"n": i, "sentAt": …} unless --message
  --message TEXT   the message text (with --json it must parse as JSON)
  --key K          record key (default: none)
  --json           send --message / stdin lines as JSON (validated before sending)
  --stdin          one message per line of standard input

${COMMON_HELP}`,
  consume: `Usage: npm run client -- consume --topic T [--group G | --from-beginning] [--max N] [--timeout S]

  --topic T           topic to read (required)
  --group G           consumer group (default: a new cli-<time> group)
  --from-beginning    start at the earliest offset (otherwise only new records)
  --max N             stop after N records (default 10)
  --timeout S         stop after S seconds without reaching --max (default 30)

${COMMON_HELP}`,
  topics: `Usage: npm run client -- topics [list | describe NAME]

${COMMON_HELP}`,
  whoami: `Usage: npm run client -- whoami

Prints the authentication, the principal (IAM role/user ARN, or SCRAM user name) and the
bootstrap brokers for that authentication.

${COMMON_HELP}`,
  acls: `Usage: npm run client -- acls [list] [--user NAME]

Prints the cluster's Kafka ACLs, one line per binding:
  <principal> <ALLOW|DENY> <operation> on <resource type>:<pattern type>:<name> from <host>
Connects with IAM auth (port 9098): describing ACLs needs kafka-cluster:Connect and
kafka-cluster:DescribeCluster on the cluster. SCRAM users are authorized by these ACLs; IAM
principals are not (they use IAM policies).

  --user NAME      only the ACLs of SCRAM user NAME (principal User:NAME)

${COMMON_HELP}`,
  dlq: `Usage: npm run client -- dlq show --topic DLT [--group G | --from-beginning] [--max N] [--timeout S] [--json]
       npm run client -- dlq replay --topic DLT [--only TOPIC-PARTITION-OFFSET …] [--dry-run]
                                    [--same-partition] [--group G | --from-beginning] [--max N] [--timeout S] [--json]

Reads a dead-letter topic (DLT) that a Lambda Kafka event source mapping writes failed records to
(on-failure destination kafka://DLT). Each DLT message is Lambda's JSON failure record: the
failure (condition, approximateInvokeCount, functionError, timestamp) and, under payload.records,
the failed record itself (topic, partition, offset, base64 key and value, headers as byte arrays).

show     one line per failed record, tab-separated: DLT partition, DLT offset, source
         TOPIC-PARTITION-OFFSET, condition, approximateInvokeCount, functionError, failure
         timestamp, key, value, header names (comma-separated). Keys and values print as UTF-8
         text, or "base64:…" when they are not UTF-8 or hold a tab or line break; "-" marks a
         missing field. A message that is not such a record prints as DLT partition, DLT offset,
         "unparsed", and why. Counts go to stderr.
replay   sends the failed records back to their source topic with the original key, value bytes
         and headers (a new timestamp). One line per record: "replayed" (or "dry-run"), the
         source TOPIC-PARTITION-OFFSET and where it went. Unparsed messages are never replayed;
         a record whose source topic is the DLT itself is refused.

  --topic DLT          the dead-letter topic to read (required)
  --group G            consumer group (default: a new cli-<time> group)
  --from-beginning     start at the earliest offset (otherwise only new records)
  --max N              stop after N DLT messages (default 10)
  --timeout S          stop after S seconds without reaching --max (default 30)
  --json               one JSON object per line (exact bytes as {"base64": …}, text as {"text": …})
  --only ID            replay only the failed record TOPIC-PARTITION-OFFSET (repeat, or comma-separate);
                       each must be among the messages read, else nothing is sent
  --dry-run            print what replay would send; send nothing
  --same-partition     replay to the original partition (default: the producer's partitioner, by key)

Offsets: show never commits the group's offsets. replay with --group commits them once the
records read were replayed (unparsed ones skipped; not with --dry-run or --only), so the next
replay with that group starts after them.

${COMMON_HELP}`,
};

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliError(`--${flag} must be a positive whole number, got "${value}".`);
  }
  return Number(value);
}

export function parse(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help')
    return { command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new CliError(
      `Unknown command "${first}".`,
      `Commands: ${COMMANDS.join(', ')}. Try --help.`,
    );
  }
  const command = first as Command;
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: command === 'topics' || command === 'acls' || command === 'dlq',
      options: {
        help: { type: 'boolean', short: 'h' },
        'cluster-arn': { type: 'string' },
        'cluster-name': { type: 'string' },
        region: { type: 'string' },
        auth: { type: 'string' },
        user: { type: 'string' },
        profile: { type: 'string' },
        'role-arn': { type: 'string' },
        'connect-timeout': { type: 'string' },
        topic: { type: 'string' },
        count: { type: 'string' },
        message: { type: 'string' },
        key: { type: 'string' },
        json: { type: 'boolean' },
        stdin: { type: 'boolean' },
        group: { type: 'string' },
        'from-beginning': { type: 'boolean' },
        max: { type: 'string' },
        timeout: { type: 'string' },
        only: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        'same-partition': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new CliError((error as Error).message, `Try "npm run client -- ${command} --help".`);
  }
  if (values.help) return { command: 'help', about: command };

  const auth = (values.auth as string | undefined) ?? (command === 'acls' ? 'iam' : 'scram');
  if (auth !== 'scram' && auth !== 'iam') {
    throw new CliError(`--auth must be "scram" or "iam", got "${auth}".`);
  }
  if (command === 'acls' && auth !== 'iam') {
    throw new CliError(
      'acls connects with IAM auth only (--user NAME filters by SCRAM user, it does not log in).',
      'Drop --auth, or pass --auth iam.',
    );
  }
  const common: CommonOptions = {
    clusterArn: values['cluster-arn'] as string | undefined,
    clusterName: values['cluster-name'] as string | undefined,
    region: values.region as string | undefined,
    auth,
    user: (command === 'acls' ? undefined : (values.user as string | undefined)) ?? 'consumer',
    profile: values.profile as string | undefined,
    roleArn: values['role-arn'] as string | undefined,
    connectTimeoutMs: positiveInt(
      'connect-timeout',
      values['connect-timeout'] as string | undefined,
      10_000,
    ),
  };
  const topic = values.topic as string | undefined;
  const requireTopic = () => {
    if (!topic)
      throw new CliError('--topic is required.', `Try "npm run client -- ${command} --help".`);
    return topic;
  };

  switch (command) {
    case 'produce':
      if (values.stdin && values.message !== undefined) {
        throw new CliError('Give either --message or --stdin, not both.');
      }
      return {
        command,
        common,
        options: {
          topic: requireTopic(),
          count: positiveInt('count', values.count as string | undefined, 1),
          message: values.message as string | undefined,
          key: values.key as string | undefined,
          json: Boolean(values.json),
          stdin: Boolean(values.stdin),
        },
      };
    case 'consume':
      if (values.group && values['from-beginning']) {
        throw new CliError(
          'Give either --group or --from-beginning, not both.',
          'A new group reads from the beginning with --from-beginning.',
        );
      }
      return {
        command,
        common,
        options: {
          topic: requireTopic(),
          group: values.group as string | undefined,
          fromBeginning: Boolean(values['from-beginning']),
          max: positiveInt('max', values.max as string | undefined, 10),
          timeoutSeconds: positiveInt('timeout', values.timeout as string | undefined, 30),
        },
      };
    case 'topics': {
      const [action = 'list', name] = positionals;
      if (action !== 'list' && action !== 'describe') {
        throw new CliError(`topics takes "list" or "describe NAME", got "${action}".`);
      }
      if (action === 'describe' && !name) throw new CliError('topics describe needs a topic name.');
      return { command, common, options: { action, name } };
    }
    case 'whoami':
      return { command, common };
    case 'dlq':
      return { command, common, options: dlqOptions(positionals, values, requireTopic) };
    case 'acls': {
      const [action = 'list', ...extra] = positionals;
      if (action !== 'list' || extra.length) {
        throw new CliError(`acls takes "list", got "${positionals.join(' ')}".`);
      }
      return {
        command,
        common,
        options: { action, user: values.user as string | undefined },
      };
    }
  }
}

/** `<topic>-<partition>-<offset>`: topic names may hold "-", the last two parts are numbers. */
export const RECORD_ID = /^(.+)-(\d+)-(\d+)$/;

function dlqOptions(
  positionals: readonly string[],
  values: Record<string, string | boolean | string[] | undefined>,
  requireTopic: () => string,
): DlqOptions {
  const [action, ...extra] = positionals;
  if ((action !== 'show' && action !== 'replay') || extra.length) {
    throw new CliError(
      `dlq takes "show" or "replay", got "${positionals.join(' ')}".`,
      'Try "npm run client -- dlq --help".',
    );
  }
  if (values.group && values['from-beginning']) {
    throw new CliError(
      'Give either --group or --from-beginning, not both.',
      'A new group reads from the beginning with --from-beginning.',
    );
  }
  const only = ((values.only as string[] | undefined) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (action === 'show') {
    const replayOnly = ['only', 'dry-run', 'same-partition'].filter((f) => values[f] !== undefined);
    if (replayOnly.length) {
      throw new CliError(
        `${replayOnly.map((f) => `--${f}`).join(', ')}: only for dlq replay.`,
        'Try "npm run client -- dlq --help".',
      );
    }
  }
  if (values.only !== undefined && !only.length) {
    throw new CliError('--only needs TOPIC-PARTITION-OFFSET, e.g. --only orders-0-42.');
  }
  const bad = only.find((id) => !RECORD_ID.test(id));
  if (bad !== undefined) {
    throw new CliError(
      `--only takes TOPIC-PARTITION-OFFSET, got "${bad}".`,
      'The ids are the third column of "dlq show", e.g. --only orders-0-42.',
    );
  }
  return {
    action,
    topic: requireTopic(),
    group: values.group as string | undefined,
    fromBeginning: Boolean(values['from-beginning']),
    max: positiveInt('max', values.max as string | undefined, 10),
    timeoutSeconds: positiveInt('timeout', values.timeout as string | undefined, 30),
    json: Boolean(values.json),
    only: [...new Set(only)],
    dryRun: Boolean(values['dry-run']),
    samePartition: Boolean(values['same-partition']),
  };
}
