import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  configFilePath,
  loadConfig,
  overridesDiffering,
  readConfigFile,
} from '../lib/config';

// Every test writes its own config/ folder under a temporary root: the real config/*.json files
// of the repository are never read or written here.
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'msk-config-file-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes `config/<profile>.json` under the temporary root (text as is, or JSON). */
function writeConfig(profile: string, content: unknown): void {
  mkdirSync(join(root, 'config'), { recursive: true });
  writeFileSync(
    join(root, 'config', `${profile}.json`),
    typeof content === 'string' ? content : JSON.stringify(content, null, 2),
  );
}

function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    loadConfig(context, { root });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

describe('config/<profile>.json', () => {
  test('its values apply over the profile defaults, typed as JSON', () => {
    writeConfig('dev', {
      azCount: 3,
      retainData: true,
      topics: [
        { name: 'orders', partitions: 6 },
        { name: 'payments', partitions: 3 },
      ],
      scramUsers: ['consumer', { name: 'billing', produce: ['payments'] }],
      consumers: [
        { name: 'consumer', topic: 'orders' },
        { name: 'audit', topic: 'payments' },
      ],
    });
    const config = loadConfig({}, { root });
    expect(config).toMatchObject({ profile: 'dev', azCount: 3, retainData: true, natGateways: 1 });
    expect(config.topics.map((t) => t.name)).toEqual(['orders', 'payments']);
    expect(config.scramUsers).toEqual(['consumer', 'billing']);
    expect(config.consumers.map((c) => [c.name, c.topic, c.group])).toEqual([
      ['consumer', 'orders', 'msk-secure-dev-consumer'],
      ['audit', 'payments', 'msk-secure-dev-audit'],
    ]);
  });

  test('-c profile=prod reads config/prod.json, not config/dev.json', () => {
    writeConfig('dev', { brokersPerAz: 2 });
    writeConfig('prod', { brokersPerAz: 3 });
    expect(loadConfig({ profile: 'prod' }, { root })).toMatchObject({
      profile: 'prod',
      brokersPerAz: 3,
      azCount: 3,
    });
    expect(loadConfig({}, { root }).brokersPerAz).toBe(2);
  });

  test('-c overrides the file for one command', () => {
    writeConfig('dev', { azCount: 3, consumerBatchSize: 200 });
    const config = loadConfig({ azCount: '2', consumerBatchSize: 300 }, { root });
    expect(config.azCount).toBe(2);
    expect(config.consumers[0].batchSize).toBe(300);
  });

  test('a missing file, or no root at all, leaves the profile defaults', () => {
    expect(loadConfig({}, { root })).toEqual(loadConfig({}));
    expect(loadConfig({ profile: 'prod' }, { root })).toEqual(loadConfig({ profile: 'prod' }));
  });

  test('"profile" in the file must be the profile of the file, or absent', () => {
    writeConfig('dev', { profile: 'dev', azCount: 3 });
    expect(loadConfig({}, { root }).azCount).toBe(3);

    writeConfig('dev', { profile: 'prod' });
    const error = errorOf({});
    expect(error.problems).toEqual([
      expect.objectContaining({ setting: 'profile', value: 'prod', source: 'config/dev.json' }),
    ]);
    expect(error.message).toContain(
      'config/dev.json: profile = "prod": must be "dev" or absent: this file holds the settings of profile "dev"',
    );
  });

  test('malformed JSON is refused, naming the file and the position', () => {
    writeConfig('dev', '{\n  "azCount": 3,\n}\n');
    const error = errorOf({});
    expect(error.problems).toEqual([
      expect.objectContaining({ setting: '', source: 'config/dev.json' }),
    ]);
    expect(error.message).toMatch(
      /^ {2}- config\/dev\.json: is not valid JSON: .*position 18.*line 3, column 1/m,
    );
  });

  test('a file that is not one JSON object is refused', () => {
    writeConfig('dev', '["azCount", 3]');
    expect(errorOf({}).message).toContain('config/dev.json: must hold one JSON object of settings');
  });

  test('a bad value is reported with the file and its JSON path', () => {
    writeConfig('dev', {
      scramUsers: [
        'consumer',
        { name: 'billing', consume: [{ topic: 'orders', group: 'bad group' }] },
      ],
    });
    const error = errorOf({});
    expect(error.problems).toEqual([
      expect.objectContaining({
        setting: 'scramUsers[1].consume[0].group',
        value: 'bad group',
        source: 'config/dev.json',
      }),
    ]);
    expect(error.message).toMatch(
      /^ {2}- config\/dev\.json: scramUsers\[1\]\.consume\[0\]\.group = "bad group": must be/m,
    );
  });

  test('problems from the file and from -c are reported together, each with its source', () => {
    writeConfig('dev', {
      azCount: 5,
      topics: [{ name: 'orders', partitions: 0 }],
      consumers: [{ name: 'consumer', topic: 'orders', batchSize: 0 }],
    });
    const error = errorOf({ brokersPerAz: '0', consumerMemoryMiB: '64' });
    const lines = error.message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - config/dev.json: azCount = 5: must be an integer from 2 to 3',
        '  - -c brokersPerAz = 0: must be an integer from 1 to 10',
        '  - config/dev.json: topics[0].partitions = 0: must be an integer from 1 to 1000000',
        '  - config/dev.json: consumers[0].batchSize = 0: must be an integer from 1 to 10000',
        // Inherited by the file's consumer, but set with -c: named by its setting and -c.
        '  - -c consumerMemoryMiB = 64: must be an integer from 128 to 10240',
      ]),
    );
    expect(lines).toHaveLength(5);
    expect(error.message).toMatch(/Settings live in config\/<profile>\.json/);
  });

  test('a misspelt key in the file gets a "did you mean"; every key of the file is ours', () => {
    writeConfig('dev', { azcount: 3, '@aws-cdk/core:newStyleStackSynthesis': true });
    const error = errorOf({});
    expect(error.message).toContain(
      "config/dev.json: azcount = 3: unknown setting; did you mean 'azCount'?",
    );
    expect(error.problems.map((p) => [p.setting, p.source])).toEqual([
      ['azcount', 'config/dev.json'],
      ['@aws-cdk/core:newStyleStackSynthesis', 'config/dev.json'],
    ]);
  });

  test('values in the file are typed JSON: a number, boolean or list written as a string is refused', () => {
    writeConfig('dev', {
      azCount: '3',
      retainData: 'true',
      scramUsers: 'consumer,producer',
      consumers: '[{"name":"consumer","topic":"orders"}]',
      alarmEmail: 'none',
    });
    const error = errorOf({});
    expect(error.problems.map((p) => p.setting)).toEqual([
      'azCount',
      'retainData',
      'scramUsers',
      'consumers',
    ]);
    expect(error.message).toContain(
      'config/dev.json: azCount = "3": must be a JSON number in the file, not a string: 3',
    );
  });

  test('consumerTopic and consumerGroup are refused next to a consumers list (they would do nothing)', () => {
    writeConfig('dev', { consumers: [{ name: 'consumer', topic: 'orders' }] });
    expect(errorOf({ consumerGroup: 'other' }).message).toContain(
      '-c consumerGroup = "other": has no effect when consumers is set (config/dev.json): set "group" in the consumers entry instead',
    );
  });
});

describe('readConfigFile and configFilePath', () => {
  test('configFilePath: relative without a root', () => {
    expect(configFilePath('dev')).toBe('config/dev.json');
    expect(configFilePath('prod', root)).toBe(join(root, 'config', 'prod.json'));
  });

  test('undefined without a file; the path and the object otherwise', () => {
    expect(readConfigFile('dev', root)).toBeUndefined();
    writeConfig('dev', { azCount: 3 });
    expect(readConfigFile('dev', root)).toEqual({
      path: join(root, 'config', 'dev.json'),
      values: { azCount: 3 },
    });
  });

  test('malformed JSON throws a ConfigError naming the file', () => {
    writeConfig('prod', '{ "azCount": 3');
    expect(() => readConfigFile('prod', root)).toThrow(ConfigError);
    expect(() => readConfigFile('prod', root)).toThrow(/config\/prod\.json: is not valid JSON/);
  });

  test('a profile that is not a plain name cannot name a file', () => {
    expect(() => readConfigFile('../secrets', root)).toThrow(/profile = "\.\.\/secrets"/);
  });
});

describe('overridesDiffering', () => {
  const file = {
    azCount: 3,
    retainData: true,
    alarmEmail: null,
    scramUsers: ['consumer', { name: 'producer', produce: ['orders'] }],
    topics: [{ name: 'orders', partitions: 3 }],
  };

  test('context equal to the file, however written, is no override', () => {
    expect(
      overridesDiffering(file, {
        azCount: '3',
        retainData: 'true',
        alarmEmail: 'none',
        scramUsers: '["consumer",{"name":"producer","produce":["orders"]}]',
        topics: '[{"name":"orders","partitions":3}]',
      }),
    ).toEqual([]);
  });

  test("CDK's own keys and profile are skipped", () => {
    expect(
      overridesDiffering(file, {
        profile: 'prod',
        '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:bundling-stacks': [],
      }),
    ).toEqual([]);
  });

  test('each differing setting with both values as read; a key absent from the file differs', () => {
    expect(
      overridesDiffering(file, {
        azCount: '2',
        scramUsers: 'consumer,producer',
        consumerBatchSize: '500',
        consumers: '[{"name":"consumer","topic":"orders"}]',
      }),
    ).toEqual([
      { key: 'azCount', file: 3, override: 2 },
      {
        key: 'scramUsers',
        file: ['consumer', { name: 'producer', produce: ['orders'] }],
        override: ['consumer', 'producer'],
      },
      { key: 'consumerBatchSize', file: undefined, override: 500 },
      { key: 'consumers', file: undefined, override: [{ name: 'consumer', topic: 'orders' }] },
    ]);
  });

  test('a value the parser refuses is compared as given', () => {
    expect(overridesDiffering({ azCount: 3 }, { azCount: 'three' })).toEqual([
      { key: 'azCount', file: 3, override: 'three' },
    ]);
  });
});
