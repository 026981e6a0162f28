/**
 * Monthly list price of synthesized templates: pure functions of the templates and the price
 * table. Fails, naming the resource, on anything it cannot price (an unknown resource type, an
 * unpriced instance type, a property that is not a literal), so the table cannot go stale quietly.
 */
import type { CfnResource, CfnTemplate } from '../shared/template';
import type { Assumptions, Price, PriceTable } from './prices';

export interface TemplateInput {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** One priced quantity of one resource. */
export interface CostLine {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** What is billed, e.g. `MSK brokers (kafka.t3.small)`: rows of the table group by it. */
  readonly item: string;
  readonly quantity: number;
  /** Billing unit of `quantity`, e.g. `broker-month`. */
  readonly unit: string;
  /** USD per `unit`. */
  readonly unitPrice: number;
  /** How the unit price is made, e.g. `$0.0456/h × 730 h`. */
  readonly basis: string;
  readonly monthly: number;
  /** The price table entries used are not confirmed on an AWS page. */
  readonly unverified: boolean;
}

/** A usage-priced item at the stated assumption. */
export interface UsageLine {
  readonly item: string;
  /** The assumed monthly amount, e.g. `10 GB`. */
  readonly assumption: string;
  /** How it is priced, e.g. `$0.045/GB`. */
  readonly price: string;
  readonly monthly: number;
  readonly unverified: boolean;
}

export interface Estimate {
  readonly profile: string;
  readonly lines: readonly CostLine[];
  readonly usage: readonly UsageLine[];
  /** Sum of the lines, each rounded to cents. */
  readonly fixedTotal: number;
  readonly usageTotal: number;
  readonly total: number;
  /** Resource types present that are usage-priced or free (for the record). */
  readonly unpricedTypes: readonly string[];
  readonly notes: readonly string[];
  readonly table: Pick<PriceTable, 'region' | 'takenOn' | 'hoursPerMonth' | 'assumptions'>;
}

export class CostError extends Error {}

export const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** A unit price: at least cents, up to 4 decimals (`$0.40`, `$0.0456`, `$33.288`), or 6 digits. */
export const unitMoney = (usd: number): string =>
  usd >= 0.01 ? `$${usd.toFixed(4).replace(/0{1,2}$/, '')}` : `$${Number(usd.toPrecision(6))}`;

type Props = Record<string, unknown>;

/** The literal at `path` of a resource's properties, or a `CostError` naming the resource. */
function literal<T>(
  where: string,
  props: Props | undefined,
  path: string,
  kind: 'string' | 'number' | 'array',
  fallback?: T,
): T {
  let value: unknown = props;
  for (const part of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Props)[part] : undefined;
  }
  if (value === undefined && fallback !== undefined) return fallback;
  const ok = kind === 'array' ? Array.isArray(value) : typeof value === kind;
  if (!ok) {
    throw new CostError(
      `${where}: ${path} is ${value === undefined ? 'missing' : JSON.stringify(value)}, expected a literal ${kind}`,
    );
  }
  return value as T;
}

export function estimate(
  profile: string,
  templates: readonly TemplateInput[],
  table: PriceTable,
): Estimate {
  const hours = table.hoursPerMonth;
  const a = table.assumptions;
  const price = (where: string, key: string): Price => {
    const p = table.prices[key];
    if (!p) {
      throw new CostError(
        `${where}: no price "${key}" in tools/cost/prices.json; add it with its source page`,
      );
    }
    return p;
  };
  const usd = (n: number) => `$${Number(n.toPrecision(6))}`;
  const lines: CostLine[] = [];
  const unpriced = new Set<string>();
  const notes = new Set<string>();
  let natGateways = 0;
  let natInstances = 0;
  let interfaceEndpoints = 0;

  for (const { stackName, template } of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const where = `${stackName}/${logicalId} (${resource.Type})`;
      const entry = table.resourceTypes[resource.Type];
      if (!entry) {
        throw new CostError(
          `${where}: resource type not in tools/cost/prices.json resourceTypes; add it as ` +
            'priced (with prices) or as usage/free (with a reason)',
        );
      }
      if (entry.pricing !== 'priced') {
        unpriced.add(resource.Type);
        if (resource.Type === 'AWS::SSM::Parameter') checkStandardParameter(where, resource);
        continue;
      }
      const add = (
        item: string,
        quantity: number,
        unit: string,
        key: string,
        perUnit: number,
        basis: string,
      ) => {
        const p = price(where, key);
        lines.push({
          stackName,
          logicalId,
          type: resource.Type,
          item,
          quantity,
          unit,
          unitPrice: perUnit,
          basis,
          monthly: quantity * perUnit,
          unverified: p.verified === 'memory',
        });
      };
      const hourly = (key: string) => {
        const p = price(where, key);
        return { perMonth: p.usd * hours, basis: `${usd(p.usd)}/h × ${hours} h` };
      };
      const props = resource.Properties;
      switch (resource.Type) {
        case 'AWS::MSK::Cluster': {
          const type = literal<string>(where, props, 'BrokerNodeGroupInfo.InstanceType', 'string');
          const brokers = literal<number>(where, props, 'NumberOfBrokerNodes', 'number');
          const gib = literal<number>(
            where,
            props,
            'BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize',
            'number',
          );
          const provisioned = (props as Props | undefined)?.BrokerNodeGroupInfo as
            | {
                StorageInfo?: {
                  EBSStorageInfo?: { ProvisionedThroughput?: { Enabled?: unknown } };
                };
              }
            | undefined;
          if (provisioned?.StorageInfo?.EBSStorageInfo?.ProvisionedThroughput?.Enabled === true) {
            throw new CostError(`${where}: provisioned storage throughput is not priced`);
          }
          const broker = hourly(`msk.broker.${type}`);
          add(
            `MSK brokers (${type})`,
            brokers,
            'broker-month',
            `msk.broker.${type}`,
            broker.perMonth,
            broker.basis,
          );
          const storage = price(where, 'msk.storage');
          add(
            'MSK broker storage (EBS)',
            gib * brokers,
            'GB-month',
            'msk.storage',
            storage.usd,
            `${gib} GB × ${brokers} brokers`,
          );
          break;
        }
        case 'AWS::EC2::NatGateway': {
          natGateways += 1;
          const nat = hourly('nat.hour');
          add('NAT gateways', 1, 'gateway-month', 'nat.hour', nat.perMonth, nat.basis);
          break;
        }
        case 'AWS::EC2::EIP': {
          const ip = hourly('publicIpv4.hour');
          add(
            'Public IPv4 addresses (NAT)',
            1,
            'address-month',
            'publicIpv4.hour',
            ip.perMonth,
            ip.basis,
          );
          break;
        }
        case 'AWS::EC2::Instance': {
          const type = literal<string>(where, props, 'InstanceType', 'string');
          // A NAT instance forwards traffic: source/destination checking is off.
          const nat = props?.SourceDestCheck === false;
          if (nat) natInstances += 1;
          const instance = hourly(`ec2.instance.${type}`);
          add(
            `${nat ? 'NAT instances' : 'EC2 instances'} (${type})`,
            1,
            'instance-month',
            `ec2.instance.${type}`,
            instance.perMonth,
            `${instance.basis}, Linux on-demand`,
          );
          // The root volume's size is the AMI's unless the template says it: refuse to guess.
          const mappings = literal<Props[]>(where, props, 'BlockDeviceMappings', 'array');
          for (const [i, mapping] of mappings.entries()) {
            const at = `BlockDeviceMappings.${i}.Ebs`;
            const volumeType = literal<string>(where, props, `${at}.VolumeType`, 'string');
            if (volumeType !== 'gp3') {
              throw new CostError(`${where}: ${at}.VolumeType ${volumeType} is not priced`);
            }
            const gib = literal<number>(where, mapping, 'Ebs.VolumeSize', 'number');
            const storage = price(where, 'ebs.gp3');
            add(
              'EC2 instance storage (EBS gp3)',
              gib,
              'GB-month',
              'ebs.gp3',
              storage.usd,
              'root volume',
            );
          }
          const interfaces = (props?.NetworkInterfaces ?? []) as Props[];
          const publicIps = interfaces.filter((ni) => ni.AssociatePublicIpAddress === true).length;
          if (publicIps > 0) {
            const ip = hourly('publicIpv4.hour');
            add(
              `Public IPv4 addresses (${nat ? 'NAT' : 'EC2'})`,
              publicIps,
              'address-month',
              'publicIpv4.hour',
              ip.perMonth,
              ip.basis,
            );
          }
          if (props?.Monitoring === true) {
            const p = price(where, 'cloudwatch.detailedMonitoringMetric');
            const metrics = a.detailedMonitoringMetricsPerInstance;
            add(
              'EC2 detailed monitoring metrics',
              metrics,
              'metric-month',
              'cloudwatch.detailedMonitoringMetric',
              p.usd,
              `assumed ${metrics} per instance`,
            );
          }
          const credits = (props?.CreditSpecification as Props | undefined)?.CPUCredits;
          if (/^t\d/.test(type) && credits !== 'standard') {
            notes.add(
              `EC2: ${type} runs with unlimited CPU credits; surplus credits are billed and not in this estimate.`,
            );
          }
          break;
        }
        case 'AWS::EC2::VPCEndpoint': {
          const kind = literal<string>(where, props, 'VpcEndpointType', 'string', 'Gateway');
          if (kind === 'Gateway') {
            unpriced.add('AWS::EC2::VPCEndpoint (Gateway)');
            break;
          }
          if (kind !== 'Interface')
            throw new CostError(`${where}: ${kind} endpoints are not priced`);
          const azs = literal<unknown[]>(where, props, 'SubnetIds', 'array').length;
          interfaceEndpoints += 1;
          const az = hourly('interfaceEndpoint.azHour');
          add(
            `Interface VPC endpoints (${serviceOf(props)})`,
            azs,
            'endpoint-AZ-month',
            'interfaceEndpoint.azHour',
            az.perMonth,
            az.basis,
          );
          break;
        }
        case 'AWS::KMS::Key': {
          const p = price(where, 'kms.key');
          add('KMS customer managed keys', 1, 'key-month', 'kms.key', p.usd, 'per key');
          if (props?.EnableKeyRotation === true) {
            notes.add(
              'KMS: automatic rotation adds $1/month per key for each of its first two rotations (from year 2).',
            );
          }
          break;
        }
        case 'AWS::SecretsManager::Secret': {
          const p = price(where, 'secretsManager.secret');
          add(
            'Secrets Manager secrets',
            1,
            'secret-month',
            'secretsManager.secret',
            p.usd,
            'per secret',
          );
          break;
        }
        case 'AWS::CloudWatch::Alarm': {
          const metrics = props?.Metrics;
          const count = Array.isArray(metrics)
            ? metrics.filter((m) => (m as Props).MetricStat !== undefined).length
            : 1;
          const period = Array.isArray(metrics)
            ? Math.min(
                ...metrics.map((m) =>
                  Number(((m as Props).MetricStat as Props | undefined)?.Period ?? 60),
                ),
              )
            : Number(props?.Period ?? 60);
          if (period < 60) throw new CostError(`${where}: high-resolution alarms are not priced`);
          const p = price(where, 'cloudwatch.alarmMetric');
          add(
            'CloudWatch alarm metrics',
            count,
            'alarm metric-month',
            'cloudwatch.alarmMetric',
            p.usd,
            'standard resolution',
          );
          break;
        }
        case 'AWS::CloudWatch::Dashboard': {
          const p = price(where, 'cloudwatch.dashboard');
          add(
            'CloudWatch dashboards',
            1,
            'dashboard-month',
            'cloudwatch.dashboard',
            p.usd,
            'per dashboard',
          );
          break;
        }
        case 'AWS::Logs::LogGroup': {
          const p = price(where, 'logs.ingestion');
          add(
            'CloudWatch Logs ingestion',
            a.logIngestionGiBPerLogGroup,
            'GB',
            'logs.ingestion',
            p.usd,
            `assumed ${a.logIngestionGiBPerLogGroup} GB per log group`,
          );
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': {
          const config = props?.ProvisionedPollerConfig as Props | undefined;
          if (!config) {
            unpriced.add('AWS::Lambda::EventSourceMapping (on-demand)');
            break;
          }
          const minimum = literal<number>(where, config, 'MinimumPollers', 'number');
          const units = Math.max(1, Math.ceil(minimum / a.pollersPerEventPollerUnit));
          const epu = hourly('lambda.eventPollerUnit');
          add(
            'Lambda provisioned event pollers',
            units,
            'EPU-month',
            'lambda.eventPollerUnit',
            epu.perMonth,
            `${epu.basis}; min. ${minimum} poller${minimum === 1 ? '' : 's'}`,
          );
          break;
        }
        default:
          throw new CostError(
            `${where}: marked priced in prices.json, but estimate.ts cannot price it`,
          );
      }
    }
  }

  const usage = usageLines(table, a, natGateways, natInstances, interfaceEndpoints);
  const fixedTotal = cents(lines.reduce((sum, line) => sum + cents(line.monthly), 0));
  const usageTotal = cents(usage.reduce((sum, line) => sum + cents(line.monthly), 0));
  return {
    profile,
    lines,
    usage,
    fixedTotal,
    usageTotal,
    total: cents(fixedTotal + usageTotal),
    unpricedTypes: [...unpriced].sort(),
    notes: [...notes],
    table: {
      region: table.region,
      takenOn: table.takenOn,
      hoursPerMonth: table.hoursPerMonth,
      assumptions: table.assumptions,
    },
  };
}

function usageLines(
  table: PriceTable,
  a: Assumptions,
  natGateways: number,
  natInstances: number,
  interfaceEndpoints: number,
): UsageLine[] {
  const p = (key: string) => {
    const price = table.prices[key];
    if (!price) throw new CostError(`usage: no price "${key}" in tools/cost/prices.json`);
    return price;
  };
  const memory = (...keys: string[]) => keys.some((key) => p(key).verified === 'memory');
  const perGb = (key: string) => `${unitMoney(p(key).usd)}/GB`;
  const lines: UsageLine[] = [];
  if (natGateways > 0) {
    lines.push({
      item: 'NAT data processing',
      assumption: `${a.natDataGiB} GB`,
      price: perGb('nat.data'),
      monthly: a.natDataGiB * p('nat.data').usd,
      unverified: memory('nat.data'),
    });
  }
  if (natInstances > 0) {
    // A NAT instance has no data-processing charge. The traffic itself (HTTPS to AWS APIs in the
    // Region) is left out as for NAT gateways, whose line above prices only the processing.
    lines.push({
      item: 'NAT instance data (no processing charge)',
      assumption: `${a.natDataGiB} GB`,
      price: '$0/GB',
      monthly: 0,
      unverified: false,
    });
  }
  if (interfaceEndpoints > 0) {
    lines.push({
      item: 'interface endpoint data',
      assumption: `${a.interfaceEndpointDataGiB} GB`,
      price: perGb('interfaceEndpoint.data'),
      monthly: a.interfaceEndpointDataGiB * p('interfaceEndpoint.data').usd,
      unverified: memory('interfaceEndpoint.data'),
    });
  }
  lines.push({
    item: 'cross-AZ client traffic (broker replication is free)',
    assumption: `${a.crossAzGiB} GB`,
    price: `${perGb('dataTransfer.crossAz')} each way`,
    monthly: a.crossAzGiB * 2 * p('dataTransfer.crossAz').usd,
    unverified: memory('dataTransfer.crossAz'),
  });
  const gbSeconds =
    (a.lambdaRequests * a.lambdaAverageDurationMs * a.lambdaMemoryMiB) / 1000 / 1024;
  lines.push({
    item: `Lambda invocations (${a.lambdaAverageDurationMs} ms, ${a.lambdaMemoryMiB} MB, arm64)`,
    assumption: `${a.lambdaRequests.toLocaleString('en-US')} requests, ${gbSeconds.toLocaleString('en-US')} GB-s`,
    price: `${unitMoney(p('lambda.requests').usd)}/million + ${unitMoney(p('lambda.armGbSecond').usd)}/GB-s`,
    monthly:
      (a.lambdaRequests / 1e6) * p('lambda.requests').usd + gbSeconds * p('lambda.armGbSecond').usd,
    unverified: memory('lambda.requests', 'lambda.armGbSecond'),
  });
  return lines;
}

/** `com.amazonaws.<region>.sqs` → `sqs`, for the row label. */
function serviceOf(props: Props | undefined): string {
  const name = props?.ServiceName;
  if (typeof name === 'string') return name.split('.').pop() ?? name;
  // CDK renders `com.amazonaws.${AWS::Region}.sqs` as Fn::Join ['', ['com.amazonaws.', Ref, '.sqs']].
  const join = (name as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const last = join?.[1]?.[join[1].length - 1];
  return typeof last === 'string' ? last.replace(/^\./, '') : 'interface';
}

function checkStandardParameter(where: string, resource: CfnResource): void {
  const tier = resource.Properties?.Tier;
  if (tier !== undefined && tier !== 'Standard') {
    throw new CostError(`${where}: Tier ${JSON.stringify(tier)} is billed; add its price`);
  }
}
