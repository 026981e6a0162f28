/**
 * A real Apache Kafka broker on loopback for `npm run test:kafka`, as close to an MSK cluster's
 * SASL/SCRAM listener as one node allows:
 * - one KRaft node (`process.roles=broker,controller`), formatted with `kafka.tools.StorageTool
 *   format --add-scram` and started with `kafka.Kafka` (the main classes of `kafka-storage.sh`
 *   and `kafka-server-start.sh`), from jars that Maven copies from Maven Central once per version;
 * - clients on SASL_SSL with SCRAM-SHA-512 only, as on MSK's port 9096 (MSK Developer Guide,
 *   "Port information" and "Sign-in credentials authentication with AWS Secrets Manager": MSK
 *   supports only SCRAM-SHA-512, over TLS). The CA is made at start with the JDK's keytool and
 *   clients verify the broker against it;
 * - `StandardAuthorizer` with `allow.everyone.if.no.acl.found=true` (MSK's default, MSK "Apache
 *   Kafka ACLs") and one super user, `admin`, standing in for the IAM identity of the ACL custom
 *   resource (Kafka ACLs do not apply to IAM principals on MSK: "IAM access control");
 * - `auto.create.topics.enable=false`, as this project's MSK configuration sets it.
 *
 * The controller listener is PLAINTEXT on its own loopback port: SCRAM cannot authenticate it
 * (the credentials live in the metadata it serves), so its ANONYMOUS principal is a super user.
 * No client uses it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SUPER_USER = 'admin';

export interface Tls {
  /** PEM of the CA that signed the broker's certificate (clients trust only this). */
  readonly caPem: string;
  readonly caFile: string;
  readonly keystore: string;
  readonly truststore: string;
  readonly password: string;
}

export interface BrokerInfo {
  readonly version: string;
  /** `127.0.0.1:<port>`: the SASL_SSL listener. */
  readonly bootstrap: string;
  readonly caFile: string;
  /** SCRAM-SHA-512 user → password; `admin` is the super user. */
  readonly users: Readonly<Record<string, string>>;
  readonly logFile: string;
}

export interface RunningBroker extends BrokerInfo {
  stop(): Promise<void>;
}

const POM = resolve(__dirname, 'broker', 'pom.xml');

/** Fails with what to install when a command is missing (CI must fail, not skip). */
export function requireCommand(command: string, args: string[], install: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `npm run test:kafka needs ${command}, which ${result.error ? 'was not found' : `failed (exit ${result.status})`}. ${install}`,
    );
  }
}

export function checkPrerequisites(): void {
  requireCommand(
    'java',
    ['-version'],
    'Install a Java 17 (or newer) runtime and JDK, e.g. `apt-get install openjdk-17-jdk-headless`: Kafka 4.x brokers need Java 17, and keytool makes the test CA.',
  );
  requireCommand(
    'keytool',
    ['-help'],
    'It ships with the JDK: install a Java 17 JDK (e.g. `apt-get install openjdk-17-jdk-headless`).',
  );
  requireCommand(
    'mvn',
    ['-v'],
    'Install Apache Maven 3.8 or newer (e.g. `apt-get install maven`): it downloads the Kafka broker from Maven Central.',
  );
}

/** Where the jars of each Kafka version are kept, outside the repository. */
export function jarCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.KAFKA_JARS_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'msk-secure-stack', 'kafka');
  return join(base, version);
}

/** The broker's jars, copied from Maven Central by test/kafka/broker/pom.xml on first use. */
export function ensureJars(version: string): string {
  const dir = jarCacheDir(version);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${dir}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0 || !existsSync(join(dir, `kafka_2.13-${version}.jar`))) {
    throw new Error(
      `Maven could not copy org.apache.kafka:kafka_2.13:${version} and its dependencies into ${dir} (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return dir;
}

function keytool(args: string[], cwd: string): void {
  const result = spawnSync('keytool', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`keytool ${args[0]} failed: ${result.stdout}${result.stderr}`);
  }
}

/** A CA and a broker certificate for 127.0.0.1 (EC P-256, valid two days), made with keytool. */
export function createTls(dir: string): Tls {
  mkdirSync(dir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  /** `keytool <command> -keystore <store>.p12 …` in `dir`, with the one password. */
  const run = (command: string, store: string, ...args: string[]) =>
    keytool(
      [command, '-keystore', store, '-storetype', 'PKCS12', '-storepass', password, ...args],
      dir,
    );
  const ec = ['-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '2'];
  run(
    '-genkeypair',
    'ca.p12',
    '-alias',
    'ca',
    '-dname',
    'CN=msk-secure-stack test CA',
    ...ec,
    '-ext',
    'bc:c',
  );
  run('-exportcert', 'ca.p12', '-alias', 'ca', '-rfc', '-file', 'ca.pem');
  run('-genkeypair', 'broker.p12', '-alias', 'broker', '-dname', 'CN=127.0.0.1', ...ec);
  run('-certreq', 'broker.p12', '-alias', 'broker', '-file', 'broker.csr');
  run(
    '-gencert',
    'ca.p12',
    '-alias',
    'ca',
    '-infile',
    'broker.csr',
    '-outfile',
    'broker.pem',
    '-rfc',
    '-validity',
    '2',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    '-ext',
    'EKU=serverAuth',
  );
  // The broker's keystore holds the chain (CA, then the signed certificate); the truststore the CA.
  run('-importcert', 'broker.p12', '-alias', 'ca', '-file', 'ca.pem', '-noprompt');
  run('-importcert', 'broker.p12', '-alias', 'broker', '-file', 'broker.pem', '-noprompt');
  run('-importcert', 'trust.p12', '-alias', 'ca', '-file', 'ca.pem', '-noprompt');
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    keystore: join(dir, 'broker.p12'),
    truststore: join(dir, 'trust.p12'),
    password,
  };
}

/** A free TCP port on 127.0.0.1 (the kernel's choice; closed again before the broker binds it). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

/**
 * Kafka's cluster id: 16 random bytes, URL-safe base64 without padding (`Uuid.toString`). Like Kafka's `Uuid.randomUuid()` (its bytecode in kafka-clients 4.1.2 checks `toString().startsWith("-")`),
 * an id starting with "-" is drawn again: `kafka-storage format --cluster-id -x…` reads it as an
 * option and fails ("argument --cluster-id/-t: expected one argument"), seen on 2026-12-08.
 */
const clusterId = (): string => {
  const id = randomBytes(16).toString('base64url');
  return id.startsWith('-') ? clusterId() : id;
};

export function serverProperties(o: {
  port: number;
  controllerPort: number;
  dataDir: string;
  tls: Tls;
  adminPassword: string;
}): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=SASL_SSL://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${o.port}`,
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${SUPER_USER}" password="${o.adminPassword}";`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${o.tls.keystore}`,
    `ssl.keystore.password=${o.tls.password}`,
    `ssl.key.password=${o.tls.password}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${o.tls.truststore}`,
    `ssl.truststore.password=${o.tls.password}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${SUPER_USER};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found=true',
    'auto.create.topics.enable=false',
    `log.dirs=${o.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * Log4j 2 to stdout at INFO: Kafka ships no logging configuration in its jars, and log4j's
 * default (ERROR only) would hide "Kafka Server started", which startBroker waits for.
 */
const LOG4J2 = [
  'rootLogger.level=INFO',
  'rootLogger.appenderRef.out.ref=out',
  'appender.out.type=Console',
  'appender.out.name=out',
  'appender.out.layout.type=PatternLayout',
  'appender.out.layout.pattern=[%d] %p %m (%c)%n',
  '',
].join('\n');

function java(jars: string, args: string[], logDir: string): string[] {
  return [
    `-Dlog4j2.configurationFile=${join(logDir, 'log4j2.properties')}`,
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    join(jars, '*'),
    ...args,
  ];
}

const STARTED = /Kafka Server started/;
const START_TIMEOUT_MS = 120_000;

/**
 * Formats a fresh node with SCRAM credentials for `users` (plus the super user), starts it on
 * free loopback ports and resolves once it logs "Kafka Server started". The work directory
 * (data, configuration, log) is removed by `stop()`.
 */
export async function startBroker(o: {
  version: string;
  tls: Tls;
  users: readonly string[];
  workDir?: string;
}): Promise<RunningBroker> {
  const jars = ensureJars(o.version);
  const workDir =
    o.workDir ??
    join(
      tmpdir(),
      `msk-secure-stack-kafka-${o.version}-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const users: Record<string, string> = {};
  for (const name of [SUPER_USER, ...o.users]) users[name] = randomBytes(16).toString('hex');
  writeFileSync(join(workDir, 'log4j2.properties'), LOG4J2);
  const config = join(workDir, 'server.properties');
  writeFileSync(
    config,
    serverProperties({
      port,
      controllerPort,
      dataDir,
      tls: o.tls,
      adminPassword: users[SUPER_USER],
    }),
  );

  const format = spawnSync(
    'java',
    java(
      jars,
      [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId(),
        '-c',
        config,
        ...Object.entries(users).flatMap(([name, password]) => [
          '--add-scram',
          `SCRAM-SHA-512=[name=${name},password=${password}]`,
        ]),
      ],
      workDir,
    ),
    { encoding: 'utf8' },
  );
  if (format.status !== 0) {
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(
      `Kafka ${o.version}: StorageTool format failed (exit ${format.status}):\n${format.stdout}${format.stderr}`,
    );
  }

  const logFile = join(workDir, 'broker.log');
  const log = createWriteStream(logFile);
  const child = spawn('java', java(jars, ['kafka.Kafka', config], workDir), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await terminate(child);
    log.end();
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    await waitForStart(child, o.version, logFile);
  } catch (error) {
    const tail = existsSync(logFile)
      ? readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')
      : '';
    await stop();
    throw new Error(`${(error as Error).message}\nLast lines of the broker log:\n${tail}`, {
      cause: error,
    });
  }
  return {
    version: o.version,
    bootstrap: `127.0.0.1:${port}`,
    caFile: o.tls.caFile,
    users,
    logFile,
    stop,
  };
}

function waitForStart(child: ChildProcess, version: string, logFile: string): Promise<void> {
  return new Promise((done, fail) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      fail(
        new Error(
          `Kafka ${version} did not start within ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`,
        ),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (STARTED.test(seen)) {
        cleanup();
        done();
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      fail(new Error(`Kafka ${version} exited before it started (code ${code}, signal ${signal})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM (Kafka shuts down cleanly), then SIGKILL after 20 s. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}
