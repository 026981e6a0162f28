import type { Connection, Deps } from '../connection';
import { CliError } from '../errors';
import type { ProduceOptions } from '../options';

const BATCH = 100;

/** Sends `--count` messages (or one per stdin line) to a topic; progress on stderr. */
export async function produce(
  connection: Connection,
  options: ProduceOptions,
  deps: Deps,
): Promise<void> {
  const messages = await collectMessages(options, deps);
  const producer = connection.kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += BATCH) {
      await producer.send({
        topic: options.topic,
        messages: messages
          .slice(i, i + BATCH)
          .map((value) => ({ key: options.key ?? null, value })),
      });
      const sent = Math.min(i + BATCH, messages.length);
      if (messages.length > BATCH) deps.err(`sent ${sent}/${messages.length}`);
    }
  } finally {
    await producer.disconnect();
  }
  deps.out(
    `Sent ${messages.length} message${messages.length === 1 ? '' : 's'} to ${options.topic} (${connection.auth}).`,
  );
}

async function collectMessages(options: ProduceOptions, deps: Deps): Promise<string[]> {
  const texts: string[] = [];
  if (options.stdin) {
    for await (const line of deps.stdinLines()) if (line.trim() !== '') texts.push(line);
    if (texts.length === 0) throw new CliError('--stdin given but standard input had no lines.');
  } else {
    for (let n = 0; n < options.count; n++) {
      texts.push(
        options.message ?? JSON.stringify({ n, sentAt: new Date(deps.now()).toISOString() }),
      );
    }
  }
  if (options.json) {
    texts.forEach((text, i) => {
      try {
        JSON.parse(text);
      } catch {
        throw new CliError(
          `Message ${i + 1} is not valid JSON: ${text.slice(0, 80)}`,
          'Fix it or drop --json.',
        );
      }
    });
  }
  return texts;
}
