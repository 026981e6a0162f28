import { RemovalPolicy } from 'aws-cdk-lib';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';

/** A Kafka topic created with `AWS::MSK::Topic`. */
export interface KafkaTopic {
  /** Topic name: up to 249 of `[a-zA-Z0-9._-]`, not `.` or `..`. */
  readonly name: string;
  /** Partitions, at least 1. */
  readonly partitions: number;
  /**
   * Replicas of each partition, at most the broker count.
   *
   * @default the `defaultReplicationFactor` of `KafkaTopics`
   */
  readonly replicationFactor?: number;
  /**
   * Topic-level Kafka configs, e.g. `{ "retention.ms": "604800000" }`.
   *
   * @default none: the cluster's defaults apply
   */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface KafkaTopicsProps {
  /** ARN of the cluster the topics live in. */
  readonly clusterArn: string;
  readonly topics: readonly KafkaTopic[];
  /** Replication factor for topics that do not set one. */
  readonly defaultReplicationFactor: number;
  /**
   * What `cdk destroy` does with the topics; give the cluster's policy so that a retained
   * cluster keeps its topics (and their data) too.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Kafka topics as CloudFormation resources (`AWS::MSK::Topic`, MSK's topic API; Kafka ≥ 3.6.0):
 * no admin client, bastion host or `kafka-topics.sh` inside the VPC.
 */
export class KafkaTopics extends Construct {
  public readonly topics: ReadonlyMap<string, msk.CfnTopic>;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const topics = new Map<string, msk.CfnTopic>();
    for (const topic of props.topics) {
      const resource = new msk.CfnTopic(this, topic.name, {
        clusterArn: props.clusterArn,
        topicName: topic.name,
        partitionCount: topic.partitions,
        replicationFactor: topic.replicationFactor ?? props.defaultReplicationFactor,
        // The MSK topic API takes topic configs as base64-encoded JSON.
        configs: topic.configs ? encodeTopicConfigs(topic.configs) : undefined,
      });
      resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
      topics.set(topic.name, resource);
    }
    this.topics = topics;
  }
}

/** `{ "retention.ms": "…" }` → base64 of its JSON, as `AWS::MSK::Topic` `Configs` expects. */
export function encodeTopicConfigs(configs: Readonly<Record<string, string>>): string {
  return Buffer.from(JSON.stringify(configs), 'utf8').toString('base64');
}
