import type { Connection, Deps } from '../connection';
import type { ConsumeOptions } from '../options';
import { readTopic } from './read-topic';

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
    await readTopic(consumer, options, (partition, message) => {
      received++;
      deps.out(
        `${partition}\t${message.offset}\t${message.key?.toString() ?? ''}\t${message.value?.toString() ?? ''}`,
      );
    });
  } finally {
    await consumer.disconnect();
  }
  deps.err(
    `${received} record${received === 1 ? '' : 's'} from ${options.topic} (group ${groupId}).`,
  );
  return received;
}
