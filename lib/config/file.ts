/**
 * The settings file of a profile, `config/<profile>.json`: committed, one per environment, and
 * read by the app (`loadConfig`) and the deploy script.
 *
 * Precedence: profile defaults ← `config/<profile>.json` ← CDK context (`-c key=value`, or a key
 * in cdk.json's "context"), so `-c` stays for one-off overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { normalizeSetting, SETTING_KEYS } from './settings';
import { ConfigError } from './validation';

/** Profile names that can name a file: no path separators, no `..`. */
const PROFILE_FILE_NAME = /^[a-zA-Z0-9_-]+$/;

/** `config/<profile>.json`, under `root` when given (else relative, as messages show it). */
export const configFilePath = (profile: string, root?: string): string =>
  root === undefined ? `config/${profile}.json` : join(root, 'config', `${profile}.json`);

/** The settings file as read: its path and its top-level object of settings. */
export interface ConfigFile {
  readonly path: string;
  readonly values: Record<string, unknown>;
}

/**
 * Reads `config/<profile>.json` under `root`; undefined when there is no such file (the profile
 * defaults apply). Checks only that the file is one JSON object: `loadConfig` validates the values.
 *
 * @throws ConfigError when the file is not valid JSON or not a JSON object, naming the file and
 *   the position JSON.parse reports
 */
export function readConfigFile(profile: string, root = process.cwd()): ConfigFile | undefined {
  const shown = configFilePath(profile);
  if (!PROFILE_FILE_NAME.test(profile)) {
    throw new ConfigError([
      {
        setting: 'profile',
        value: profile,
        allowed: 'must be a plain name (letters, digits, "-", "_") to name config/<profile>.json',
      },
    ]);
  }
  const path = configFilePath(profile, root);
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      {
        setting: '',
        value: undefined,
        allowed: `is not valid JSON: ${jsonErrorWithLine((error as Error).message, text)}`,
        source: shown,
      },
    ]);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError([
      {
        setting: '',
        value: values,
        allowed: 'must hold one JSON object of settings, e.g. { "azCount": 3 }',
        source: shown,
      },
    ]);
  }
  return { path, values: values as Record<string, unknown> };
}

/** JSON.parse's message, with line and column added when it gives only a character position. */
function jsonErrorWithLine(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/**
 * The settings that CDK context (`-c`, or cdk.json "context") sets to something other than the
 * file does, e.g. to warn before a deploy that a one-off override is in effect. Keys other than
 * settings (CDK's `@aws-cdk/…` feature flags, `aws:cdk:…`) and `profile` are skipped. Values are
 * compared as the app reads them (`"2"` equals `2`, JSON text equals the JSON value); a key the
 * file does not set counts as differing (it overrides the profile default). `file` and
 * `override` are the values as read.
 */
export function overridesDiffering(
  fileValues: Record<string, unknown>,
  context: Record<string, unknown>,
): { key: string; file: unknown; override: unknown }[] {
  const differing: { key: string; file: unknown; override: unknown }[] = [];
  for (const [key, raw] of Object.entries(context)) {
    if (key === 'profile' || !SETTING_KEYS.includes(key) || raw === undefined) continue;
    const override = normalizeSetting(key, raw);
    const inFile = Object.prototype.hasOwnProperty.call(fileValues, key);
    const file = inFile ? normalizeSetting(key, fileValues[key]) : undefined;
    if (!inFile || !isDeepStrictEqual(file, override)) differing.push({ key, file, override });
  }
  return differing;
}
