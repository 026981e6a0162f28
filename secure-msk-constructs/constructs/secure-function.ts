import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import {
  buildSync,
  formatMessagesSync,
  version as esbuildVersion,
  type BuildFailure,
  type BuildOptions,
} from 'esbuild';
import { acknowledge } from './acknowledge';
import { ManagedPolicyRole } from './managed-policy-role';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createEncryptedLogGroup, EncryptedLogs } from './encrypted-logs';

/** This library's folder: everything a function needs is found relative to it. */
const LIBRARY_ROOT = path.join(__dirname, '..');

/** Root of the library's Lambda handler sources (`handlers/` in this library). */
export const LAMBDA_SOURCE_ROOT = path.join(LIBRARY_ROOT, 'handlers');

/** The Node.js runtime every function of the app uses (the latest Lambda offers). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Handler files esbuild bundles (the extensions NodejsFunction accepts as an entry). */
const ENTRY_FILE = /\.(jsx?|tsx?|cjs|cts|mjs|mts)$/;

/**
 * The absolute handler file of an `entry` (absolute, or relative to `handlers/`), checked to
 * exist: the message names the construct, the value given and what is allowed.
 */
function resolveEntry(id: string, entry: string): string {
  const file = path.isAbsolute(entry) ? entry : path.join(LAMBDA_SOURCE_ROOT, entry);
  const allowed = `an absolute path or one relative to ${LAMBDA_SOURCE_ROOT}, to a .ts/.js/.mts/.mjs/.cts/.cjs/.tsx/.jsx file exporting "handler"`;
  if (!ENTRY_FILE.test(file)) {
    throw new Error(
      `SecureFunction ${id}: entry = "${entry}" is not a handler source file; give ${allowed}`,
    );
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new Error(
      `SecureFunction ${id}: entry = "${entry}": no file at ${file}; give ${allowed}`,
    );
  }
  return file;
}

/** One bundle: index.js and index.js.map, in memory. */
type Bundle = readonly { readonly name: string; readonly contents: Uint8Array }[];

/**
 * Bundles of this process, by entry and external modules: a handler used in several stacks (or
 * by the dev and prod apps of one process) is bundled once. The sources do not change while one
 * synth runs; a new synth (a new `cdk` command, a new jest test file) is a new module instance.
 */
const bundles = new Map<string, Bundle>();

/** The esbuild options of a handler's bundle (see `bundle`). */
function buildOptions(entry: string, externalModules: readonly string[]): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    // Not written (write: false): the path only sets the file names (index.js, and the
    // sourceMappingURL to index.js.map) and makes the map's `sources` relative to this
    // library, the same wherever the cloud assembly goes.
    outfile: path.join(LIBRARY_ROOT, 'index.js'),
    write: false,
    platform: 'node',
    // NodejsFunction's target for a runtime: node<major> (nodejs24.x -> node24).
    target: NODE_RUNTIME.name.replace(/^nodejs(\d+).*$/, 'node$1'),
    format: 'cjs',
    // esbuild's default for platform node, which NodejsFunction keeps for CommonJS output
    // (it passes --main-fields only when given mainFields).
    mainFields: ['main', 'module'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...externalModules],
    // Errors go into the thrown error and warnings to stderr (below), each once.
    logLevel: 'silent',
    // The files esbuild read: what the bundle cache checks before it reuses a bundle.
    metafile: true,
  };
}

/**
 * Bundles a handler with esbuild's JavaScript API, in this process (no `npx esbuild` subprocess
 * per function), with the options NodejsFunction passes to its local esbuild for our props:
 * bundle, minify, source map without `sourcesContent`, `target` from the runtime, platform node,
 * CommonJS `index.js`, every package bundled unless in `externalModules`. esbuild resolves
 * packages from the `node_modules` folders above the handler file, as Node does; no lock file or
 * project root is involved. A successful bundle prints nothing but esbuild's warnings; errors are
 * in the thrown error. A bundle made before from the same files is reused (`BundleCache`).
 */
function bundle(id: string, entry: string, externalModules: readonly string[]): Bundle {
  const key = JSON.stringify([entry, [...externalModules].sort()]);
  const cached = bundles.get(key);
  if (cached) return cached;
  const options = buildOptions(entry, externalModules);
  const cache = BundleCache.for(entry, options);
  const reused = cache?.read();
  if (reused) {
    bundles.set(key, reused);
    return reused;
  }
  let result;
  try {
    result = buildSync(options);
  } catch (error) {
    const errors = (error as Partial<BuildFailure>).errors ?? [];
    throw new Error(
      `SecureFunction ${id}: esbuild could not bundle entry ${entry}:\n` +
        (errors.length ? formatMessagesSync(errors, { kind: 'error' }).join('') : String(error)),
      { cause: error },
    );
  }
  if (result.warnings.length) {
    process.stderr.write(
      `SecureFunction ${id}: esbuild warnings bundling ${entry}:\n` +
        formatMessagesSync(result.warnings, { kind: 'warning' }).join(''),
    );
  }
  const files = (result.outputFiles ?? []).map((file) => ({
    name: path.basename(file.path),
    contents: file.contents,
  }));
  // A bundle with warnings is not kept, so that each synth shows them again.
  if (!result.warnings.length && result.metafile) {
    cache?.write(files, Object.keys(result.metafile.inputs));
  }
  bundles.set(key, files);
  return files;
}

/** Set `SECURE_MSK_BUNDLE_CACHE=off` to bundle every handler afresh on every synth. */
export const BUNDLE_CACHE_ENV = 'SECURE_MSK_BUNDLE_CACHE';

const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/**
 * Bundles kept between synths, in `node_modules/.cache/secure-msk-constructs/` (the convention of
 * babel-loader, eslint and others) beside the packages the bundles are made of. A bundle is
 * reused only when what esbuild would read is unchanged; otherwise it is built again:
 * - the key: the esbuild version and every build option (entry, externals, target, …);
 * - every input file esbuild read for it (the handler's sources and each package file), by
 *   content;
 * - the file names in each folder of the project's own inputs (a new file there can change
 *   what an import resolves to, e.g. `./x.ts` beside `./x/index.ts`), and the tsconfig.json
 *   each of those folders sees;
 * - npm's record of the installed packages (`node_modules/.package-lock.json`), which every
 *   `npm install`/`npm ci` rewrites: a package added, removed or changed anywhere in the tree.
 * Checking costs a hash of the inputs (tens of milliseconds); bundling the five handlers of this
 * app costs seconds. `SECURE_MSK_BUNDLE_CACHE=off` turns it off.
 */
class BundleCache {
  static for(entry: string, options: BuildOptions): BundleCache | undefined {
    if (process.env[BUNDLE_CACHE_ENV] === 'off') return undefined;
    // The `node_modules` folder esbuild resolves the entry's packages from first, if any.
    const nodeModules = nearestFile(path.dirname(entry), 'node_modules');
    if (!nodeModules) return undefined;
    const key = sha256(JSON.stringify({ format: 1, esbuild: esbuildVersion, options }));
    return new BundleCache(
      path.join(nodeModules, '.cache', 'secure-msk-constructs'),
      key,
      nodeModules,
    );
  }

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly nodeModules: string,
  ) {}

  private get manifestFile(): string {
    return path.join(this.dir, `${this.key}.json`);
  }

  /** What the bundle depends on besides its inputs' contents (see the class comment). */
  private surroundings(inputs: readonly string[]): Record<string, string> {
    const result: Record<string, string> = {};
    const installed = path.join(this.nodeModules, '.package-lock.json');
    result[installed] = existsSync(installed) ? sha256(readFileSync(installed)) : 'absent';
    const ownDirs = new Set(
      inputs.filter((f) => !f.split(path.sep).includes('node_modules')).map((f) => path.dirname(f)),
    );
    for (const dir of ownDirs) {
      result[`${dir}${path.sep}`] = sha256(readdirSync(dir).sort().join('\0'));
      const tsconfig = nearestFile(dir, 'tsconfig.json');
      if (tsconfig) result[tsconfig] = sha256(readFileSync(tsconfig));
    }
    return result;
  }

  /** Fingerprints of the inputs (absolute paths) and their surroundings. */
  private fingerprints(inputs: readonly string[]): Record<string, string> | undefined {
    const result: Record<string, string> = {};
    for (const input of inputs) {
      if (!existsSync(input)) return undefined;
      result[input] = sha256(readFileSync(input));
    }
    return { ...result, ...this.surroundings(inputs) };
  }

  /** The bundle made before from the same files, or undefined. */
  read(): Bundle | undefined {
    try {
      const manifest = JSON.parse(readFileSync(this.manifestFile, 'utf8')) as CacheManifest;
      const now = this.fingerprints(manifest.inputs);
      if (!now || JSON.stringify(now) !== JSON.stringify(manifest.fingerprints)) return undefined;
      const files = manifest.files.map((file) => ({
        name: file.name,
        contents: readFileSync(path.join(this.dir, `${this.key}.${file.name}`)),
      }));
      return files.every((f, i) => sha256(f.contents) === manifest.files[i].sha256)
        ? files
        : undefined;
    } catch {
      return undefined; // none yet, or unreadable: bundle afresh
    }
  }

  /** Keeps a bundle and what it was made from; a cache that cannot be written is skipped. */
  write(files: Bundle, metafileInputs: readonly string[]): void {
    try {
      const inputs = metafileInputs.map((input) => path.resolve(input));
      const fingerprints = this.fingerprints(inputs);
      if (!fingerprints) return;
      mkdirSync(this.dir, { recursive: true });
      for (const file of files) {
        writeAtomically(path.join(this.dir, `${this.key}.${file.name}`), file.contents);
      }
      const manifest: CacheManifest = {
        inputs,
        fingerprints,
        files: files.map((file) => ({ name: file.name, sha256: sha256(file.contents) })),
      };
      writeAtomically(this.manifestFile, JSON.stringify(manifest));
    } catch {
      // A read-only node_modules: every synth bundles, as without the cache.
    }
  }
}

interface CacheManifest {
  readonly inputs: readonly string[];
  readonly fingerprints: Record<string, string>;
  readonly files: readonly { readonly name: string; readonly sha256: string }[];
}

/** The nearest file or folder `name` in `dir` or a folder above it. */
function nearestFile(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

/** Writes through a temporary file and a rename, so a concurrent reader sees all or nothing. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/**
 * The code of a handler. Bundled in this process when its stack is bundled; otherwise (the CLI's
 * `aws:cdk:bundling-stacks` context leaves the stack out, as `cdk deploy OtherStack` does, and
 * the unit tests that skip bundling) staged the way CDK stages a skipped bundle: the handler's
 * folder stands for the asset and nothing is built or copied.
 *
 * The bundle is written to a folder named by its content in the cloud assembly's asset folder
 * and staged from there by `Code.fromAsset` (asset hash = the bundle's fingerprint, as
 * NodejsFunction's default `AssetHashType.OUTPUT`); `done()` removes that folder once the
 * function has staged it (unless asset staging is disabled, `cdk synth --no-staging`, where the
 * template points at it). Not CDK's `bundling` option: its `local.tryBundle` works the same,
 * but CDK prints "Bundling asset …" for every function.
 */
function handlerCode(
  scope: Construct,
  id: string,
  entry: string,
  externalModules: readonly string[],
): { code: lambda.Code; done: () => void } {
  if (!Stack.of(scope).bundlingRequired) {
    return {
      code: lambda.Code.fromAsset(path.dirname(entry), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // CDK requires an image with `bundling`; it is never run: CDK skips bundling for this
          // stack, so neither this image nor `local` is used.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
          local: {
            tryBundle: () => {
              throw new Error(`SecureFunction ${id}: bundling was skipped for this stack`);
            },
          },
        },
      }),
      done: () => undefined,
    };
  }
  const files = bundle(id, entry, externalModules);
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.name).update('\0').update(file.contents);
  const assetOutdir = Stage.of(scope)?.assetOutdir;
  if (!assetOutdir) throw new Error(`SecureFunction ${id}: must be defined inside an App or Stage`);
  const dir = path.join(assetOutdir, `bundle-${hash.digest('hex')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(path.join(dir, file.name), file.contents);
  const keep = Boolean(scope.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT));
  return {
    code: lambda.Code.fromAsset(dir),
    done: () => {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Actions Lambda needs to attach a function to a VPC (Lambda Developer Guide, "Giving Lambda
 * functions access to resources in an Amazon VPC"): it creates and deletes the network
 * interfaces with the function's role.
 */
export const LAMBDA_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * Grants actions that IAM can only allow on `Resource: "*"`: the Service Authorization Reference
 * lists no resource type for them (e.g. `ec2:DescribeNetworkInterfaces`, `ec2:DescribeSubnets`,
 * `kafka:GetBootstrapBrokers`), so a statement that names a resource never allows them.
 */
export function grantOnAllResources(
  role: iam.IRole & Construct,
  sid: string,
  actions: readonly string[],
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid, actions: [...actions], resources: ['*'] }),
  );
  acknowledge(
    role,
    ['AwsSolutions-IAM5[Resource::*]'],
    'Only actions that have no resource type in the Service Authorization Reference (EC2 Describe* ' +
      'calls, kafka:GetBootstrapBrokers) are on "*": IAM allows them on no narrower resource.',
  );
}

/**
 * Adds the VPC networking permissions to a role: `ec2:DescribeNetworkInterfaces` (and the extra
 * Describe calls) on `*`, which is all they accept; the interface writes on this account's and
 * Region's EC2 resources, as the Lambda guide's example for DeleteNetworkInterface does
 * (`arn:aws:ec2:us-west-2:123456789012:*\/*`): Lambda's interfaces have no ARN before they exist.
 */
export function grantLambdaVpcAccess(
  role: iam.IRole & Construct,
  extraDescribeActions: readonly string[] = [],
): void {
  const describe = ['ec2:DescribeNetworkInterfaces', ...extraDescribeActions];
  grantOnAllResources(role, 'LambdaVpcDescribe', describe);
  const stack = Stack.of(role);
  const accountEc2 = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:*/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'LambdaVpcNetworkInterfaces',
      actions: LAMBDA_VPC_ACTIONS.filter((action) => !describe.includes(action)),
      resources: [accountEc2],
    }),
  );
  acknowledge(
    role,
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:*/*]`],
    "Lambda creates the function's network interfaces with its role; an interface has no ARN " +
      "before it exists, so the writes are scoped to this account's and Region's EC2 resources " +
      '(the form the Lambda Developer Guide gives for ec2:DeleteNetworkInterface).',
  );
}

/** Where a function runs: the VPC, its subnets and its security groups. */
export interface FunctionNetworkProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** The key and log settings every function of a construct shares. */
export interface FunctionEncryptionProps {
  /** Encrypts the functions' environment variables. */
  readonly encryptionKey: kms.IKey;
  /** Where the functions' log groups go, encrypted. */
  readonly logs: EncryptedLogs;
}

export interface SecureFunctionProps extends FunctionNetworkProps, FunctionEncryptionProps {
  /**
   * Handler source (exporting `handler`): an absolute path, or a path relative to this
   * library's `handlers/` folder, e.g. `consumer/index.ts`.
   */
  readonly entry: string;
  readonly description: string;
  /** Log group name after `logs.logGroupNamePrefix`, e.g. `lambda/consumer`. */
  readonly logGroupName: string;
  /**
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Reserved concurrency.
   *
   * @default - unreserved (acknowledged for NIST/HIPAA with the reason given in `unreservedReason`)
   */
  readonly reservedConcurrentExecutions?: number;
  /** Why the function has no reserved concurrency (required when it has none). */
  readonly unreservedReason?: string;
  /** Why the function needs no dead-letter queue (its failures are handled elsewhere). */
  readonly noDeadLetterQueueReason: string;
  /**
   * EC2 `Describe*` actions beyond `ec2:DescribeNetworkInterfaces` (e.g. those of an MSK event
   * source mapping); they are granted on `Resource: *`, the only resource they accept.
   *
   * @default []
   */
  readonly additionalVpcActions?: readonly string[];
  /**
   * Modules left out of the bundle (provided by the runtime).
   *
   * @default [] - everything is bundled, so the deployed code is the tested code
   */
  readonly externalModules?: string[];
}

/**
 * A Node.js Lambda function the way this project builds them: bundled in-process by esbuild
 * (minified, source maps, no Docker, no lock file or project root), latest runtime, arm64, in the VPC's private subnets, an
 * explicit KMS-encrypted log group with the platform's retention, a role whose permissions
 * live in one customer-managed policy, logs granted only on its own log group.
 */
export class SecureFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: ManagedPolicyRole;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    if (props.reservedConcurrentExecutions === undefined && !props.unreservedReason) {
      throw new Error(
        `SecureFunction ${id}: give reservedConcurrentExecutions or unreservedReason`,
      );
    }

    this.role = new ManagedPolicyRole(this, 'Role', {
      description: `Execution role of ${props.description}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    grantLambdaVpcAccess(this.role, props.additionalVpcActions);

    const logGroup = createEncryptedLogGroup(this, 'LogGroup', props.logs, props.logGroupName);
    const entry = resolveEntry(id, props.entry);
    const { code, done } = handlerCode(this, id, entry, props.externalModules ?? []);
    try {
      this.function = new lambda.Function(this, 'Function', {
        code,
        handler: 'index.handler',
        description: props.description,
        runtime: NODE_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: props.memorySize ?? 256,
        timeout: props.timeout ?? Duration.minutes(5),
        role: this.role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups: props.securityGroups,
        // Source maps are bundled; Node uses them for stack traces only with this flag.
        environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
        environmentEncryption: props.encryptionKey,
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      });
    } finally {
      // The function has staged its code into the cloud assembly (Code.bind in its constructor).
      done();
    }
    logGroup.grantWrite(this.role);

    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledge(
        cfnFunction,
        ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        props.unreservedReason!,
      );
    }
    acknowledge(
      cfnFunction,
      ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
      props.noDeadLetterQueueReason,
    );
  }
}
