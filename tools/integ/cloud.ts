/**
 * What `npm run integ` asks AWS besides the CDK CLI: the assertions' results and timings, and
 * for teardown, what blocks a `cdk destroy` of this app and whether anything is left.
 *
 * - Lambda functions in a VPC reach it through Lambda-managed network interfaces (interface
 *   type `lambda`) in the functions' subnets and security groups. Lambda deletes them only
 *   after the last function using them is gone, and until then the subnets and security groups
 *   cannot be deleted: the Network stack's delete fails on them ("has dependent object"). The
 *   runner then waits, bounded, until the VPC has no such interface and destroys again.
 * - Every function of the app, integ-tests-alpha's assertion functions included
 *   (`platform.ts` gives them one), logs to a log group of its stack, deleted with it; so
 *   teardown has no log group to clean up.
 */
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** `1h 02m 03s` / `3m 05s` / `4s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

const isMissingStack = (error: unknown): boolean =>
  /does not exist/i.test((error as Error)?.message ?? '');

/** One `AssertionResults…` output of the Assertions stack that does not say success. */
export interface FailedAssertion {
  readonly output: string;
  readonly result: string;
}

/**
 * The assertions whose result output is not `{"status":"success"}`. integ-tests-alpha reports
 * an assertion without a wait only there (its custom resource succeeds either way), so this is
 * checked after every deployment of the Assertions stack, as integ-runner does.
 */
export async function failedAssertions(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<FailedAssertion[]> {
  const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  return (Stacks[0]?.Outputs ?? [])
    .filter((o) => o.OutputKey?.startsWith('AssertionResults'))
    .filter((o) => {
      try {
        return (JSON.parse(o.OutputValue ?? '') as { status?: string }).status !== 'success';
      } catch {
        return true;
      }
    })
    .map((o) => ({ output: o.OutputKey!, result: o.OutputValue ?? '' }));
}

/** The VPC of a deployed stack, or undefined when the stack (or its VPC) is not there. */
export async function vpcOfStack(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  try {
    const { StackResources = [] } = await cfn.send(
      new DescribeStackResourcesCommand({ StackName: stackName }),
    );
    return StackResources.find((r) => r.ResourceType === 'AWS::EC2::VPC')?.PhysicalResourceId;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

/** The ids of the Lambda-managed network interfaces in a VPC. */
export async function lambdaInterfaces(ec2: EC2Client, vpcId: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'interface-type', Values: ['lambda'] },
        ],
        NextToken,
      }),
    );
    for (const eni of page.NetworkInterfaces ?? []) {
      if (eni.NetworkInterfaceId) ids.push(eni.NetworkInterfaceId);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
}

/**
 * Polls until the VPC has no Lambda-managed network interface, at most `timeoutMs`.
 *
 * @returns whether none is left
 */
export async function waitForLambdaInterfaces(
  ec2: EC2Client,
  vpcId: string,
  options: WaitOptions,
): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const started = clock.now();
  for (;;) {
    const left = await lambdaInterfaces(ec2, vpcId);
    const waited = clock.now() - started;
    if (left.length === 0) {
      log(`no Lambda network interfaces left in ${vpcId} (after ${formatDuration(waited)})`);
      return true;
    }
    if (waited + options.intervalMs > options.timeoutMs) {
      log(
        `${left.length} Lambda network interface(s) still in ${vpcId} after ` +
          `${formatDuration(waited)}: ${left.join(', ')}`,
      );
      return false;
    }
    log(
      `${left.length} Lambda network interface(s) still in ${vpcId} (${left.join(', ')}); ` +
        `Lambda deletes them some time after the functions; waited ${formatDuration(waited)} ` +
        `of at most ${formatDuration(options.timeoutMs)}`,
    );
    await clock.sleep(options.intervalMs);
  }
}

/** The stacks of `stackNames` that still exist (in any state but DELETE_COMPLETE). */
export async function remainingStacks(
  cfn: CloudFormationClient,
  stackNames: readonly string[],
): Promise<{ name: string; status: string }[]> {
  const left: { name: string; status: string }[] = [];
  for (const name of stackNames) {
    try {
      const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
      const status = Stacks[0]?.StackStatus;
      if (status && status !== 'DELETE_COMPLETE') left.push({ name, status });
    } catch (error) {
      if (!isMissingStack(error)) throw error;
    }
  }
  return left;
}

export interface ResourceTiming {
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly durationMs?: number;
  readonly reason?: string;
}

/**
 * How long each resource of a stack took in its latest create or update, from its
 * CloudFormation events: for the Assertions stack, one entry per assertion, failures with the
 * assertion's message.
 */
export async function creationTimings(
  cfn: CloudFormationClient,
  stackName: string,
  filter: (type: string) => boolean = () => true,
): Promise<ResourceTiming[]> {
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await cfn.send(
        new DescribeStackEventsCommand({ StackName: stackName, NextToken }),
      );
      events.push(...(page.StackEvents ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    if (isMissingStack(error)) return [];
    throw error;
  }
  events.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
  interface Entry {
    type: string;
    status: string;
    start: Date;
    end?: Date;
    reason?: string;
  }
  const byResource = new Map<string, Entry>();
  for (const event of events) {
    const id = event.LogicalResourceId;
    const type = event.ResourceType ?? '';
    const status = event.ResourceStatus ?? '';
    if (!id || !filter(type) || !/^(CREATE|UPDATE)_/.test(status) || !event.Timestamp) continue;
    if (status.endsWith('_IN_PROGRESS')) {
      // A new create or update starts over (an earlier run's events come first).
      byResource.set(id, { type, status, start: event.Timestamp });
      continue;
    }
    const entry = byResource.get(id);
    if (!entry || entry.end) continue;
    entry.status = status;
    entry.end = event.Timestamp;
    if (status.endsWith('_FAILED')) entry.reason = event.ResourceStatusReason;
  }
  return [...byResource.entries()]
    .sort(([, a], [, b]) => a.start.getTime() - b.start.getTime())
    .map(([logicalId, e]) => ({
      logicalId,
      type: e.type,
      status: e.status,
      durationMs: e.end ? e.end.getTime() - e.start.getTime() : undefined,
      reason: e.reason,
    }));
}
