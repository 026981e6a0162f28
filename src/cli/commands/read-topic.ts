import type { Consumer, KafkaMessage } from 'kafkajs';

export interface ReadOptions {
  readonly topic: string;
  /** From the earliest offset (always when there is no `group`: a new group has no position). */
  readonly fromBeginning: boolean;
  readonly group?: string;
  readonly max: number;
  readonly timeoutSeconds: number;
}

/**
 * Subscribes a connected consumer to `options.topic` and hands it up to `options.max` messages,
 * returning after the last of them or after `timeoutSeconds`, whichever comes first. Rejects
 * when kafkajs gives the consumer up: `run()` resolves once the group is joined, so a later
 * failure (TOPIC_AUTHORIZATION_FAILED on the first fetch of a user without READ on the topic)
 * only reaches the CRASH event, and kafkajs restarts the consumer after retriable errors only.
 * Without this, such a run waited out `--timeout` and reported "0 records" with exit code 0.
 */
export async function readTopic(
  consumer: Consumer,
  options: ReadOptions,
  onMessage: (partition: number, message: KafkaMessage) => void,
  run: { readonly autoCommit?: boolean } = {},
): Promise<void> {
  await consumer.subscribe({
    topics: [options.topic],
    fromBeginning: options.fromBeginning || !options.group,
  });
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, options.timeoutSeconds * 1000);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) fail(payload.error);
    });
    consumer
      .run({
        ...run,
        eachMessage: async ({ partition, message }) => {
          if (received >= options.max) return;
          received++;
          onMessage(partition, message);
          if (received >= options.max) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(fail);
  });
}
