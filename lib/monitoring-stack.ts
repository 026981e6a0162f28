import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AppConfig, brokerCount } from './config';
import { MskConsumer, PlatformAlarms, PlatformDashboard } from '../secure-msk-constructs';

export interface MonitoringStackProps extends StackProps {
  readonly config: AppConfig;
  /** The consumers to watch, by name. */
  readonly consumers: ReadonlyMap<string, MskConsumer>;
  /** Encrypts the alarm topic (CloudWatch is let use it through the key policy). */
  readonly encryptionKey: kms.Key;
}

/**
 * Alarms (one SNS topic) and one dashboard for the cluster and its consumers. Its own stack,
 * deployed last, so that no alarm exists before what it watches does.
 */
export class MonitoringStack extends Stack {
  public readonly alarms?: PlatformAlarms;
  public readonly dashboard: PlatformDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const consumers = [...props.consumers].map(([name, consumer]) => ({
      name,
      function: consumer.function,
      failureQueue: consumer.failureQueue,
      deadLetter:
        consumer.deadLetterTopic === undefined
          ? undefined
          : {
              topic: consumer.deadLetterTopic,
              eventSourceMappingId: consumer.eventSourceMapping.eventSourceMappingId,
            },
    }));
    const cluster = {
      clusterName: config.clusterName,
      brokerCount: brokerCount(config),
      instanceType: config.brokerInstanceType,
      kafkaVersion: config.kafkaVersion,
    };
    if (config.alarms) {
      this.alarms = new PlatformAlarms(this, 'Alarms', {
        ...cluster,
        enhancedMonitoring: config.enhancedMonitoring,
        encryptionKey: props.encryptionKey,
        alarmEmail: config.alarmEmail,
        consumers,
      });
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.alarms.topic.topicArn,
        description: 'SNS topic every alarm notifies (subscribe your on-call to it)',
      });
    }
    this.dashboard = new PlatformDashboard(this, 'Dashboard', {
      ...cluster,
      consumers,
      alarms: this.alarms?.alarms,
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName });
    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url });
  }
}
