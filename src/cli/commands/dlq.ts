import type { IHeaders, Message } from 'kafkajs';
import type { Connection, Deps } from '../connection';
import {
  bytesForJson,
  bytesForLine,
  DltEntry,
  FailedRecord,
  failedRecordJson,
  failedRecordLine,
  parseDltMessage,
} from '../dlq-envelope';
import { CliError } from '../errors';
import type { DlqOptions } from '../options';
import { readTopic } from './read-topic';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface DltRead {
  readonly entries: readonly DltEntry[];
  readonly groupId: string;
  /** Commits the group's offsets past every message read. */
  commit(): Promise<void>;
}

/**
 * Reads the DLT as `consume` reads a topic (a group, new unless --group; --max messages or
 * --timeout seconds, whichever comes first) but never commits on its own: `use` runs while the
 * consumer is still in its group and may commit what was read.
 */
async function readDlt<T>(
  connection: Connection,
  options: DlqOptions,
  deps: Deps,
  onEntry: (entry: DltEntry) => void,
  use: (read: DltRead) => Promise<T>,
): Promise<T> {
  const groupId = options.group ?? `msk-secure-stack-cli-${deps.now()}`;
  const consumer = connection.kafka.consumer({ groupId });
  const entries: DltEntry[] = [];
  /** Per DLT partition, the offset after the last message read. */
  const next = new Map<number, string>();
  await consumer.connect();
  try {
    await readTopic(
      consumer,
      options,
      (partition, message) => {
        const entry = parseDltMessage(partition, message.offset, message.value);
        entries.push(entry);
        next.set(partition, (BigInt(message.offset) + 1n).toString());
        onEntry(entry);
      },
      { autoCommit: false },
    );
    return await use({
      entries,
      groupId,
      commit: async () => {
        if (!next.size) return;
        await consumer.commitOffsets(
          [...next].map(([partition, offset]) => ({ topic: options.topic, partition, offset })),
        );
      },
    });
  } finally {
    await consumer.disconnect();
  }
}

function unparsedOutput(entry: Extract<DltEntry, { kind: 'unparsed' }>, json: boolean): string {
  return json
    ? JSON.stringify({
        dltPartition: entry.dltPartition,
        dltOffset: entry.dltOffset,
        unparsed: entry.reason,
      })
    : `${entry.dltPartition}\t${entry.dltOffset}\tunparsed\t${entry.reason}`;
}

/**
 * `dlq show`: one line (or JSON object) per failed record on the DLT, as the messages arrive;
 * a message that is not Lambda's failure record prints as "unparsed". Counts on stderr.
 */
export async function dlqShow(
  connection: Connection,
  options: DlqOptions,
  deps: Deps,
): Promise<void> {
  let failed = 0;
  let unparsed = 0;
  const { groupId, messages } = await readDlt(
    connection,
    options,
    deps,
    (entry) => {
      if (entry.kind === 'unparsed') {
        unparsed++;
        deps.out(unparsedOutput(entry, options.json));
        return;
      }
      for (const record of entry.records) {
        failed++;
        deps.out(
          options.json ? JSON.stringify(failedRecordJson(record)) : failedRecordLine(record),
        );
      }
    },
    async (read) => ({ groupId: read.groupId, messages: read.entries.length }),
  );
  deps.err(
    `${plural(failed, 'failed record')} in ${plural(messages, 'message')} from ${options.topic} ` +
      `(group ${groupId})${unparsed ? `; ${unparsed} unparsed` : ''}.`,
  );
}

/**
 * kafkajs headers from the record's: a repeated name becomes a list in its order. (kafkajs
 * writes an object's names in their enumeration order, so different names keep their order
 * unless a name is integer-like, which JavaScript enumerates first.)
 */
function headersFor(record: FailedRecord): IHeaders {
  const headers: IHeaders = Object.create(null) as IHeaders;
  for (const { name, value } of record.headers) {
    const before = headers[name];
    headers[name] =
      before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  return headers;
}

/** The message replay sends: the original key, value bytes and headers; a new timestamp. */
export function replayMessage(record: FailedRecord, samePartition: boolean): Message {
  return {
    key: record.key,
    value: record.value,
    headers: headersFor(record),
    ...(samePartition ? { partition: record.partition } : {}),
  };
}

function replayOutput(
  action: 'replayed' | 'dry-run',
  record: FailedRecord,
  to: { topic: string; partition?: number; offset?: string },
  json: boolean,
): string {
  if (json) {
    return JSON.stringify({
      action,
      from: record.id,
      to: { topic: to.topic, partition: to.partition ?? null, offset: to.offset ?? null },
      key: bytesForJson(record.key),
      value: bytesForJson(record.value),
      headers: record.headers.map((h) => ({ name: h.name, ...bytesForJson(h.value)! })),
    });
  }
  const target = [to.topic, to.partition, to.offset].filter((p) => p !== undefined).join('-');
  return [
    action,
    record.id,
    target,
    bytesForLine(record.key),
    bytesForLine(record.value),
    record.headers.map((h) => h.name).join(','),
  ].join('\t');
}

/**
 * `dlq replay`: sends the failed records read from the DLT (all, or those --only names) back to
 * their source topics, one at a time in DLT order; --dry-run prints them and sends nothing.
 */
export async function dlqReplay(
  connection: Connection,
  options: DlqOptions,
  deps: Deps,
): Promise<void> {
  await readDlt(
    connection,
    options,
    deps,
    () => undefined,
    async ({ entries, groupId, commit }) => {
      const failed = entries.flatMap((e) => (e.kind === 'failed' ? e.records : []));
      const unparsed = entries.filter((e) => e.kind === 'unparsed');
      const from = `${options.topic} (group ${groupId})`;
      for (const entry of unparsed) {
        deps.err(
          `Skipping DLT partition ${entry.dltPartition} offset ${entry.dltOffset}: unparsed (${entry.reason}).`,
        );
      }
      // Lambda may write a failed record more than once (at-least-once): replay it once.
      const byId = new Map<string, FailedRecord>();
      for (const record of failed) if (!byId.has(record.id)) byId.set(record.id, record);
      if (byId.size < failed.length) {
        deps.err(
          `${plural(failed.length - byId.size, 'duplicate')} of a failed record skipped (same TOPIC-PARTITION-OFFSET).`,
        );
      }
      const missing = options.only.filter((id) => !byId.has(id));
      if (missing.length) {
        throw new CliError(
          `Not among the ${plural(byId.size, 'failed record')} read from ${from}: ${missing.join(', ')}. Nothing was sent.`,
          'Read further with --from-beginning, a larger --max or --timeout; "dlq show" lists the ids (third column).',
        );
      }
      const chosen = options.only.length
        ? options.only.map((id) => byId.get(id)!)
        : [...byId.values()];
      const loops = chosen.filter((r) => r.topic === options.topic);
      if (loops.length) {
        throw new CliError(
          `Refusing to replay into the dead-letter topic ${options.topic} itself: ${loops.map((r) => r.id).join(', ')}. Nothing was sent.`,
          'Lambda does not accept a source topic as its own on-failure destination; leave these out with --only.',
        );
      }

      if (options.dryRun) {
        for (const record of chosen) {
          const to = {
            topic: record.topic,
            ...(options.samePartition ? { partition: record.partition } : {}),
          };
          deps.out(replayOutput('dry-run', record, to, options.json));
        }
        deps.err(
          `Dry run: would replay ${chosen.length} of ${plural(byId.size, 'failed record')} from ${from}; nothing sent.`,
        );
        return;
      }

      let sent = 0;
      if (chosen.length) {
        const producer = connection.kafka.producer();
        await producer.connect();
        try {
          for (const record of chosen) {
            const [metadata] = await producer.send({
              topic: record.topic,
              messages: [replayMessage(record, options.samePartition)],
            });
            sent++;
            const to = {
              topic: record.topic,
              partition: metadata?.partition,
              offset: metadata?.baseOffset,
            };
            deps.out(replayOutput('replayed', record, to, options.json));
          }
        } catch (error) {
          const at = chosen[sent];
          deps.err(`Replayed ${sent} of ${chosen.length}; sending ${at.id} to ${at.topic} failed.`);
          throw error;
        } finally {
          await producer.disconnect();
        }
      }
      // Only a group the user named is worth moving on, and only past what was all replayed.
      const commits = Boolean(options.group) && !options.only.length && entries.length > 0;
      if (commits) await commit();
      deps.err(
        `Replayed ${sent} of ${plural(byId.size, 'failed record')} from ${from}` +
          `${commits ? '; group offsets committed' : ''}.`,
      );
    },
  );
}
