/**
 * `-c` settings that differ from the committed `config/<profile>.json`: `npm run deploy` prints
 * them and deploys with them only when `--yes` is given, because the next plain deploy goes back
 * to the file (and would remove what an override added: docs/deploying.md).
 */
import { configFilePath, overridesDiffering, readConfigFile } from '../../lib/config/file';
import { formatValue } from '../../lib/config/validation';

/** `-c k=v`, `--context k=v` and `--context=k=v` as a map (the CDK CLI's own reading). */
export function contextValues(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const pair =
      args[i] === '-c' || args[i] === '--context'
        ? args[++i]
        : /^--context=/.test(args[i])
          ? args[i].slice('--context='.length)
          : undefined;
    const at = pair?.indexOf('=') ?? -1;
    if (pair !== undefined && at > 0) values[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return values;
}

export interface OverrideCheck {
  /** What to print (empty: no override differs from the file). */
  readonly lines: readonly string[];
  /** Deploying needs `--yes`. */
  readonly needsConfirmation: boolean;
}

/**
 * Compares the `-c` settings with `config/<profile>.json` under `root`.
 *
 * @throws ConfigError when the file is not valid JSON
 */
export function checkOverrides(contextArgs: readonly string[], root: string): OverrideCheck {
  const context = contextValues(contextArgs);
  const profile = context.profile ?? 'dev';
  const file = readConfigFile(profile, root);
  const shown = configFilePath(profile);
  const differing = overridesDiffering(file?.values ?? {}, context);
  if (differing.length === 0) return { lines: [], needsConfirmation: false };
  return {
    lines: [
      `${differing.length} -c setting${differing.length === 1 ? '' : 's'} differ${differing.length === 1 ? 's' : ''} from ${shown}:`,
      ...differing.map(
        (d) =>
          `  - ${d.key}: ${d.file === undefined ? '(not in the file: profile default)' : formatValue(d.file)} → ${formatValue(d.override)}`,
      ),
      `The next deploy without them goes back to ${shown}. To keep a change, put it in the file; ` +
        'to deploy with these overrides once, run again with --yes.',
    ],
    needsConfirmation: true,
  };
}
