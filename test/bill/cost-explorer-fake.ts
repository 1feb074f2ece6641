/**
 * A local Cost Explorer on 127.0.0.1 (node:http, JSON 1.1 protocol, X-Amz-Target
 * `AWSInsightsIndexService.<Operation>`): moto has no GetCostAndUsageWithResources. It answers
 * GetCostAndUsage (grouped by REGION, USAGE_TYPE) and GetCostAndUsageWithResources (grouped by
 * RESOURCE_ID, USAGE_TYPE) from a list of billed lines, daily, filtered by time period and
 * REGION, paged `pageSize` groups at a time. Modes: resource level not enabled, throttling of the
 * first N requests, AccessDenied.
 * EC2: GetCostAndUsage with SERVICE = "Amazon Elastic Compute Cloud - Compute" grouped by TAG
 * `aws:lambda:capacity-provider` and REGION answers from `instanceLines` as Cost Explorer groups a
 * tag: `<key>$<value>`, and `<key>$` for the untagged rest (every line without a tag value, or
 * all of them when the tag is not activated for cost allocation).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { BilledLine } from '../../src/bill/types.js';

export interface FakeBillLine extends Omit<BilledLine, 'resourceId' | 'region'> {
  resourceId: string;
  region: string;
}

/** An EC2 instance-hours line of one day; `tag` = the aws:lambda:capacity-provider value, '' = untagged. */
export interface FakeInstanceLine {
  day: string;
  region: string;
  tag: string;
  unblendedUsd: number;
  netUnblendedUsd: number;
}

export interface CostExplorerFakeOptions {
  lines: FakeBillLine[];
  /** EC2 compute cost (default none). */
  instanceLines?: FakeInstanceLine[];
  /** false: the tag is not a cost allocation tag, every instance groups as untagged. Default true. */
  instanceTagActive?: boolean;
  /** The EC2 query answers AccessDeniedException (the Lambda ones do not). */
  denyEc2?: boolean;
  /** Groups per page (Cost Explorer does not document its own; default 5,000). */
  pageSize?: number;
  /** How GetCostAndUsageWithResources answers when the opt-in is missing. */
  resourceLevel?: 'enabled' | 'DataUnavailableException' | 'ValidationException' | 'AccessDeniedException';
  /** The first N requests answer LimitExceededException. */
  throttleFirst?: number;
  /** Every request answers AccessDeniedException. */
  denyAll?: boolean;
}

export interface CostExplorerFake {
  client: CostExplorerClient;
  url: string;
  /** Requests received per operation (throttled ones included). */
  requests: Record<string, number>;
  /** Request bodies, in order. */
  bodies: { operation: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

interface Filter {
  Dimensions?: { Key: string; Values: string[] };
  And?: Filter[];
}

const EC2 = 'Amazon Elastic Compute Cloud - Compute';

function matches(line: { region: string }, filter: Filter | undefined, service: string): boolean {
  if (!filter) return true;
  if (filter.And) return filter.And.every((f) => matches(line, f, service));
  const d = filter.Dimensions;
  if (!d) return true;
  if (d.Key === 'SERVICE') return d.Values.includes(service);
  if (d.Key === 'REGION') return d.Values.includes(line.region);
  return true;
}

function services(filter: Filter | undefined): string[] {
  if (!filter) return [];
  if (filter.And) return filter.And.flatMap(services);
  return filter.Dimensions?.Key === 'SERVICE' ? filter.Dimensions.Values : [];
}

function error(res: ServerResponse, type: string, message: string): void {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

const money = (n: number) => ({ Amount: String(n), Unit: 'USD' });

export async function startCostExplorerFake(options: CostExplorerFakeOptions): Promise<CostExplorerFake> {
  const requests: Record<string, number> = {};
  const bodies: CostExplorerFake['bodies'] = [];
  let served = 0;
  const pageSize = options.pageSize ?? 5000;

  type Group = { day: string; keys: [string, string]; u: number; n: number; q: number };
  const cache = new Map<string, Group[]>();
  const group = (resource: boolean, period: { Start: string; End: string }, filter: Filter | undefined): Group[] => {
    const groups = new Map<string, Group>();
    for (const line of options.lines) {
      if (line.day < period.Start || line.day >= period.End || !matches(line, filter, 'AWS Lambda')) continue;
      const keys: [string, string] = [resource ? line.resourceId : line.region, line.usageType];
      const k = `${line.day}\u0000${keys.join('\u0000')}`;
      const g = groups.get(k) ?? { day: line.day, keys, u: 0, n: 0, q: 0 };
      g.u += line.unblendedUsd;
      g.n += line.netUnblendedUsd ?? line.unblendedUsd;
      g.q += line.quantity;
      groups.set(k, g);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  };
  const TAG = 'aws:lambda:capacity-provider';
  const groupInstances = (period: { Start: string; End: string }, filter: Filter | undefined): Group[] => {
    const groups = new Map<string, Group>();
    for (const line of options.instanceLines ?? []) {
      if (line.day < period.Start || line.day >= period.End || !matches(line, filter, EC2)) continue;
      const value = options.instanceTagActive === false ? '' : line.tag;
      const keys: [string, string] = [`${TAG}$${value}`, line.region];
      const k = `${line.day}\u0000${keys.join('\u0000')}`;
      const g = groups.get(k) ?? { day: line.day, keys, u: 0, n: 0, q: 0 };
      g.u += line.unblendedUsd;
      g.n += line.netUnblendedUsd;
      groups.set(k, g);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^AWSInsightsIndexService\./, '');
    requests[operation] = (requests[operation] ?? 0) + 1;
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    bodies.push({ operation, body });
    served++;
    if (options.denyAll) return error(res, 'AccessDeniedException', 'User is not authorized to perform: ce:' + operation);
    if (served <= (options.throttleFirst ?? 0)) return error(res, 'LimitExceededException', 'Rate exceeded');
    const resource = operation === 'GetCostAndUsageWithResources';
    if (!resource && operation !== 'GetCostAndUsage') return error(res, 'UnknownOperationException', operation);
    if (resource && (options.resourceLevel ?? 'enabled') !== 'enabled') {
      const type = options.resourceLevel!;
      return error(
        res,
        type,
        type === 'ValidationException'
          ? 'Group Definition dimension is invalid. Valid values are AZ, INSTANCE_TYPE, LINKED_ACCOUNT, OPERATION, PURCHASE_TYPE, SERVICE, USAGE_TYPE'
          : 'Resource-level data is not available',
      );
    }
    const period = body['TimePeriod'] as { Start: string; End: string };
    const filter = body['Filter'] as Filter | undefined;
    const ec2 = services(filter).includes(EC2);
    if (ec2) {
      const groupBy = body['GroupBy'] as { Type: string; Key: string }[];
      if (groupBy[0]?.Type !== 'TAG' || groupBy[0].Key !== TAG || groupBy[1]?.Key !== 'REGION') {
        return error(res, 'ValidationException', 'the fake answers EC2 grouped by the capacity-provider tag and REGION only');
      }
      if (options.denyEc2) return error(res, 'AccessDeniedException', 'User is not authorized to perform: ce:GetCostAndUsage on EC2');
    }
    // Pages of one query share its grouped result (computed once: benchmarks page through 10^5 groups).
    const cacheKey = JSON.stringify([operation, period, filter]);
    const all = cache.get(cacheKey) ?? (ec2 ? groupInstances(period, filter) : group(resource, period, filter));
    cache.set(cacheKey, all);
    const offset = Number(body['NextPageToken'] ?? '0');
    const slice = all.slice(offset, offset + pageSize);
    const byDay = new Map<string, unknown[]>();
    for (const g of slice) {
      const list = byDay.get(g.day) ?? [];
      list.push({ Keys: g.keys, Metrics: { UnblendedCost: money(g.u), NetUnblendedCost: money(g.n), UsageQuantity: { Amount: String(g.q), Unit: 'N/A' } } });
      byDay.set(g.day, list);
    }
    const next = offset + pageSize < all.length ? String(offset + pageSize) : undefined;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        ResultsByTime: [...byDay.entries()].map(([day, Groups]) => ({
          TimePeriod: { Start: day, End: day },
          Total: {},
          Groups,
          Estimated: false,
        })),
        ...(next ? { NextPageToken: next } : {}),
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new CostExplorerClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // The fetcher retries throttling itself (and counts each request): no SDK retries here.
    maxAttempts: 1,
  });
  return {
    client,
    url,
    requests,
    bodies,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
