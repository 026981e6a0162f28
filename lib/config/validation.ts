/**
 * Small, dependency-free building blocks for configuration validation.
 *
 * Every check returns problems instead of throwing, so that `loadConfig` can report all of them
 * at once.
 */
import type { Rule } from '../../secure-msk-constructs/model';

/** One thing wrong with the configuration: which setting, what it was, what is allowed. */
export interface ConfigProblem {
  /** The setting (context key) at fault, e.g. `azCount` or `topics[0].name`. */
  readonly setting: string;
  /** The value that was given, as the user wrote it. */
  readonly value: unknown;
  /** What is allowed instead, in words. */
  readonly allowed: string;
  /**
   * Where the value came from: the settings file (`config/dev.json`; `setting` is then the JSON
   * path in it), `-c` for CDK context (the command line or cdk.json), or undefined for a profile
   * default. An empty `setting` means the file as a whole (e.g. it is not valid JSON).
   */
  readonly source?: string;
}

/** One line of a ConfigError: `config/dev.json: azCount = 1: must be …`. */
export function describeProblem(p: ConfigProblem): string {
  if (p.setting === '') return `${p.source ?? '(configuration)'}: ${p.allowed}`;
  const where = p.source === undefined ? '' : p.source === '-c' ? '-c ' : `${p.source}: `;
  return `${where}${p.setting} = ${formatValue(p.value)}: ${p.allowed}`;
}

/** Thrown by `loadConfig` with every problem found, never just the first. */
export class ConfigError extends Error {
  public readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${describeProblem(p)}`);
    super(
      `Invalid msk-secure-stack configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        `${lines.join('\n')}\n` +
        'Settings live in config/<profile>.json (`-c <setting>=<value>` overrides one for a single ' +
        'command); every setting is in docs/configuration.md#settings.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Renders a value for an error message: strings quoted, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Collects problems while a configuration is checked. */
export class Problems {
  private readonly items: ConfigProblem[] = [];

  add(setting: string, value: unknown, allowed: string, source?: string): void {
    this.items.push(
      source === undefined ? { setting, value, allowed } : { setting, value, allowed, source },
    );
  }

  /** Adds a problem unless `ok` holds; returns `ok` so checks can be chained. */
  check(ok: boolean, setting: string, value: unknown, allowed: string): boolean {
    if (!ok) this.add(setting, value, allowed);
    return ok;
  }

  /**
   * Adds a problem unless `rule` (one of the construct library's rules, `model/rules.ts`)
   * accepts `value`; `why` is appended to the rule's own words.
   */
  follows(setting: string, value: unknown, rule: Rule, why = ''): boolean {
    return this.check(rule.test(value), setting, value, `must be ${rule.allowed}${why}`);
  }

  integerInRange(setting: string, value: number, min: number, max: number): boolean {
    return this.check(
      Number.isInteger(value) && value >= min && value <= max,
      setting,
      value,
      `must be an integer from ${min} to ${max}`,
    );
  }

  oneOf<T>(setting: string, value: T, allowed: readonly T[]): boolean {
    return this.check(
      allowed.includes(value),
      setting,
      value,
      `must be one of ${allowed.map((a) => formatValue(a)).join(', ')}`,
    );
  }

  get list(): readonly ConfigProblem[] {
    return this.items;
  }
}

/** Levenshtein distance, for "did you mean" suggestions on misspelt context keys. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}

/**
 * The known key that `key` most likely misspells, or undefined when it is not close to any.
 * Case differences alone always count as a typo (`clustername` → `clusterName`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance =
      name.toLowerCase() === key.toLowerCase()
        ? 0
        : editDistance(key.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const tolerance = Math.max(1, Math.min(3, Math.floor(best.name.length / 4)));
  return best.distance <= tolerance ? best.name : undefined;
}

/** Parses `a.b.c.d/n` into its parts, or undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(
  cidr: string,
): { readonly address: number; readonly prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { address, prefix };
}
