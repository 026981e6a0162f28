import type { Connection, Deps } from '../connection';
import type { TopicsOptions } from '../options';

export async function topics(
  connection: Connection,
  options: TopicsOptions,
  deps: Deps,
): Promise<void> {
  const admin = connection.kafka.admin();
  await admin.connect();
  try {
    if (options.action === 'list') {
      for (const name of (await admin.listTopics()).sort()) deps.out(name);
      return;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [options.name!] });
    for (const topic of metadata.topics) {
      deps.out(`${topic.name}: ${topic.partitions.length} partitions`);
      for (const p of [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId)) {
        deps.out(
          `  partition ${p.partitionId}: leader ${p.leader}, replicas [${p.replicas.join(',')}], in sync [${p.isr.join(',')}]`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}
