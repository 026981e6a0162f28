import type { Connection, Deps } from '../connection';
import type { ConsumeOptions } from '../options';

/**
 * Reads records and prints `partition offset key value`, stopping after `--max` records or
 * `--timeout` seconds, whichever comes first.
 */
export async function consume(
  connection: Connection,
  options: ConsumeOptions,
  deps: Deps,
): Promise<number> {
  const groupId = options.group ?? `msk-secure-stack-cli-${deps.now()}`;
  const consumer = connection.kafka.consumer({ groupId });
  let received = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: [options.topic],
      fromBeginning: options.fromBeginning || !options.group,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.timeoutSeconds * 1000);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      };
      // run() resolves once the group is joined: a later failure (TOPIC_AUTHORIZATION_FAILED on
      // the first fetch of a user without READ on the topic) only reaches the CRASH event, and
      // kafkajs restarts the consumer after retriable errors only. Without this, such a run
      // waited out --timeout and reported "0 records" with exit code 0.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) fail(payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (received >= options.max) return;
            received++;
            deps.out(
              `${partition}\t${message.offset}\t${message.key?.toString() ?? ''}\t${message.value?.toString() ?? ''}`,
            );
            if (received >= options.max) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  deps.err(
    `${received} record${received === 1 ? '' : 's'} from ${options.topic} (group ${groupId}).`,
  );
  return received;
}
