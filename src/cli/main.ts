import { connect, Deps } from './connection';
import { acls } from './commands/acls';
import { consume } from './commands/consume';
import { dlqReplay, dlqShow } from './commands/dlq';
import { produce } from './commands/produce';
import { topics } from './commands/topics';
import { whoami } from './commands/whoami';
import { explain } from './errors';
import { HELP, parse, Parsed } from './options';

/** Runs one CLI invocation; returns the exit code. */
export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  let parsed: Parsed | undefined;
  try {
    parsed = parse(argv);
    if (parsed.command === 'help') {
      deps.out(HELP[parsed.about ?? 'main']);
      return 0;
    }
    const connection = await connect(parsed.common, deps);
    switch (parsed.command) {
      case 'produce':
        await produce(connection, parsed.options, deps);
        break;
      case 'consume':
        await consume(connection, parsed.options, deps);
        break;
      case 'topics':
        await topics(connection, parsed.options, deps);
        break;
      case 'whoami':
        await whoami(connection, deps);
        break;
      case 'acls':
        await acls(connection, parsed.options, deps);
        break;
      case 'dlq':
        if (parsed.options.action === 'show') await dlqShow(connection, parsed.options, deps);
        else await dlqReplay(connection, parsed.options, deps);
        break;
    }
    return 0;
  } catch (error) {
    const common = parsed && parsed.command !== 'help' ? parsed.common : undefined;
    const cliError = explain(error, { auth: common?.auth ?? 'scram', user: common?.user });
    deps.err(`Error: ${cliError.message}`);
    if (cliError.hint) deps.err(`Hint: ${cliError.hint}`);
    return cliError.exitCode;
  }
}
