import * as iam from 'aws-cdk-lib/aws-iam';
import { acceptsPrefix, CONSUMER_GROUP, TOPIC_NAME } from '../model/rules';

/** A Kafka resource by exact name, or every resource whose name starts with `prefix`. */
export type NameOrPrefix = string | { readonly prefix: string };

/**
 * What the grants need of a cluster: its ARN, the ARNs of its topics and groups, and a cluster
 * policy for principals of other accounts.
 */
export interface KafkaAccessTarget extends iam.IResourceWithPolicy {
  readonly clusterArn: string;
  /** `arn:…:<type>/<clusterName>/<clusterUuid>/<name>`. */
  kafkaResourceArn(type: 'topic' | 'group' | 'transactional-id', name: string): string;
}

/** The names the ARNs take: the rules config validation and `MskConsumer` use too. */
const NAME_RULES = { topic: TOPIC_NAME, group: CONSUMER_GROUP } as const;

/** The resource-name part of an ARN: the name itself, or `prefix*` only when asked for. */
export function resourceName(what: 'topic' | 'group', nameOrPrefix: NameOrPrefix): string {
  const name = typeof nameOrPrefix === 'string' ? nameOrPrefix : nameOrPrefix.prefix;
  const isPrefix = typeof nameOrPrefix !== 'string';
  const rule = NAME_RULES[what];
  const ok = isPrefix ? name === '' || acceptsPrefix(rule, name) : rule.test(name);
  if (!ok) {
    throw new Error(
      `${what} ${JSON.stringify(name)} is not ${rule.what} (${rule.allowed}); ` +
        'pass { prefix: "…" } for a prefix instead of writing "*"',
    );
  }
  return isPrefix ? `${name}*` : name;
}

/**
 * IAM access to an MSK cluster with IAM access control: the `kafka-cluster:*` actions MSK
 * documents for each use, with the actions each depends on, on exact cluster, topic and group
 * ARNs (Amazon MSK Developer Guide, "IAM access control" / "Actions").
 */
export class KafkaAccess {
  constructor(private readonly target: KafkaAccessTarget) {}

  /** `Connect`: required by every other action. */
  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ['kafka-cluster:Connect'], [this.target.clusterArn]);
  }

  /**
   * Read a topic as a member of a consumer group: `ReadData` needs `Connect`, `DescribeTopic`
   * and `AlterGroup`; `AlterGroup` needs `DescribeGroup`.
   */
  public grantConsume(
    grantee: iam.IGrantable,
    topic: NameOrPrefix,
    group: NameOrPrefix,
  ): iam.Grant {
    return this.grantConnect(grantee)
      .combine(
        this.grant(
          grantee,
          ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          [this.topicArn(topic)],
        ),
      )
      .combine(
        this.grant(
          grantee,
          ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
          [this.groupArn(group)],
        ),
      );
  }

  /**
   * Write to a topic: `WriteData` needs `Connect` and `DescribeTopic`. Idempotent producers (the
   * default in current Kafka clients) also need `WriteDataIdempotently` on the cluster.
   */
  public grantProduce(
    grantee: iam.IGrantable,
    topic: NameOrPrefix,
    options: { readonly idempotent?: boolean } = {},
  ): iam.Grant {
    const clusterActions = ['kafka-cluster:Connect'];
    if (options.idempotent ?? true) clusterActions.push('kafka-cluster:WriteDataIdempotently');
    return this.grant(grantee, clusterActions, [this.target.clusterArn]).combine(
      this.grant(
        grantee,
        ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        [this.topicArn(topic)],
      ),
    );
  }

  /** Create, describe and alter topics (and their configuration). */
  public grantAdmin(grantee: iam.IGrantable, topic: NameOrPrefix): iam.Grant {
    return this.grantConnect(grantee).combine(
      this.grant(
        grantee,
        [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        [this.topicArn(topic)],
      ),
    );
  }

  public topicArn(topic: NameOrPrefix): string {
    return this.target.kafkaResourceArn('topic', resourceName('topic', topic));
  }

  public groupArn(group: NameOrPrefix): string {
    return this.target.kafkaResourceArn('group', resourceName('group', group));
  }

  /**
   * Same account: the principal's own policy. Another account (a cross-account role, as in the
   * Debezium and Doris guides): the cluster policy names the principal, and its own account must
   * also allow the same actions in the principal's identity policy.
   */
  private grant(grantee: iam.IGrantable, actions: string[], resourceArns: string[]): iam.Grant {
    // iam.Grant counts a statement the resource refused (`statementAdded: false`, as a cluster
    // from `fromClusterArn` does: it manages no cluster policy) as granted. Such a grant would
    // deploy and allow nothing, so this view of the target notes the refusal.
    let refused = false;
    const resource: KafkaAccessTarget = Object.create(this.target, {
      addToResourcePolicy: {
        value: (statement: iam.PolicyStatement) => {
          const result = this.target.addToResourcePolicy(statement);
          refused ||= !result.statementAdded;
          return result;
        },
      },
    });
    const grant = iam.Grant.addToPrincipalOrResource({ grantee, actions, resourceArns, resource });
    if (refused) {
      throw new Error(
        `KafkaAccess: cannot grant ${actions.join(', ')} to ${grantee.grantPrincipal}: it needs ` +
          'the cluster policy (a principal of another account, or a role whose policy cannot be ' +
          'changed here), and this cluster takes no statement (an imported cluster manages no ' +
          'cluster policy); grant it in the stack that defines the cluster',
      );
    }
    return grant;
  }
}
