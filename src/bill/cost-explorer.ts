/**
 * Reads the Lambda bill from Cost Explorer (client injected). Resource level first
 * (GetCostAndUsageWithResources, daily, grouped by RESOURCE_ID and USAGE_TYPE: an opt-in setting,
 * the last 14 days only); when that is not enabled or not allowed, the account level
 * (GetCostAndUsage, daily, grouped by REGION and USAGE_TYPE). Every request (pages, throttled
 * retries) is counted: each costs $0.01 (https://aws.amazon.com/aws-cost-management/pricing/).
 * AccessDenied is not an error of the run: the result says why it is empty.
 */
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  GetCostAndUsageWithResourcesCommand,
  type Expression,
} from '@aws-sdk/client-cost-explorer';
import * as z from 'zod';
import type { SnapshotWindow } from '../source/profile.js';
import { describeError, isAccessDenied } from '../source/aws/aws-errors.js';
import { utcDay, wholeDays } from './daily-usage.js';
import { type BilledData, type BilledLine, type LmiInstanceBill, type LmiInstanceLine, LMI_INSTANCE_TAG } from './types.js';
import { isLmiUsageType } from './usage-types.js';

/** Cost Explorer's SERVICE dimension value for Lambda. */
export const LAMBDA_SERVICE = 'AWS Lambda';
/** Resource-level data covers the last 14 days only (GetCostAndUsageWithResources API reference). */
export const RESOURCE_LEVEL_DAYS = 14;
const METRICS = ['UnblendedCost', 'NetUnblendedCost', 'UsageQuantity'];
/** Cost Explorer's SERVICE value for EC2 instance usage (EBS and the rest are "EC2 - Other"). */
export const EC2_COMPUTE_SERVICE = 'Amazon Elastic Compute Cloud - Compute';
export { LMI_INSTANCE_TAG };
const DAY_MS = 86_400_000;

export type CostExplorerSend = Pick<CostExplorerClient, 'send'>;

export interface FetchBillOptions {
  client: CostExplorerSend;
  window: SnapshotWindow;
  now: Date;
  /** Regions analysed: the bill is filtered to them. */
  regions: readonly string[];
  /** false: skip the resource-level call (account level only). Default true. */
  resourceLevel?: boolean;
  /** false: never read the capacity providers' EC2 instance cost. Default true (only when the bill has LMI lines). */
  lmiInstances?: boolean;
  /** Attempts per request when throttled (LimitExceededException, ThrottlingException). */
  maxAttempts?: number;
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

const amount = z.object({ Amount: z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/), Unit: z.string().optional() });
/** One page of GetCostAndUsage or GetCostAndUsageWithResources grouped by two keys (both calls here). */
const pageSchema = z.object({
  NextPageToken: z.string().optional(),
  ResultsByTime: z
    .array(
      z.object({
        TimePeriod: z.object({ Start: z.string().regex(/^\d{4}-\d{2}-\d{2}/) }),
        Groups: z
          .array(z.object({ Keys: z.array(z.string()).length(2), Metrics: z.record(z.string(), amount) }))
          .optional(),
      }),
    )
    .optional(),
});

const THROTTLED = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException', 'Throttling']);

function errorName(error: unknown): string {
  return error && typeof error === 'object' && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

/**
 * The error GetCostAndUsageWithResources gives when resource-level data is not enabled.
 * The API reference lists DataUnavailableException; accounts without the opt-in have also been
 * seen answering ValidationException about the RESOURCE_ID dimension (aws/aws-sdk#700,
 * reference scale-out.md 5). [UNCONFIRMED] the exact message: any ValidationException of the
 * resource-level call is treated as "not available", and the account level is used.
 */
export function isResourceLevelUnavailable(error: unknown): boolean {
  const name = errorName(error);
  return name === 'DataUnavailableException' || name === 'ValidationException' || name === 'OptInRequired';
}

class Counter {
  requests = 0;
  throttled = 0;
}

async function sendWithRetry<T>(
  call: () => Promise<T>,
  counter: Counter,
  maxAttempts: number,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    counter.requests++;
    try {
      return await call();
    } catch (error) {
      if (!THROTTLED.has(errorName(error)) || attempt >= maxAttempts) throw error;
      counter.throttled++;
      // Exponential backoff from 1 s: Cost Explorer's quota is a few requests per second.
      await sleep(Math.min(20_000, 1000 * 2 ** (attempt - 1)));
    }
  }
}

function filterFor(regions: readonly string[]): Expression {
  const service: Expression = { Dimensions: { Key: 'SERVICE', Values: [LAMBDA_SERVICE] } };
  if (regions.length === 0) return service;
  return { And: [service, { Dimensions: { Key: 'REGION', Values: [...regions] } }] };
}

function linesOf(page: unknown, level: 'resource' | 'region', where: string): BilledLine[] {
  const parsed = pageSchema.safeParse(page);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: unexpected answer at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const lines: BilledLine[] = [];
  for (const result of parsed.data.ResultsByTime ?? []) {
    const day = result.TimePeriod.Start.slice(0, 10);
    for (const group of result.Groups ?? []) {
      const [first, usageType] = group.Keys as [string, string];
      const net = group.Metrics['NetUnblendedCost'];
      lines.push({
        day,
        usageType,
        resourceId: level === 'resource' ? first : null,
        region: level === 'region' ? first : null,
        unblendedUsd: Number(group.Metrics['UnblendedCost']?.Amount ?? '0'),
        netUnblendedUsd: net ? Number(net.Amount) : null,
        quantity: Number(group.Metrics['UsageQuantity']?.Amount ?? '0'),
      });
    }
  }
  return lines;
}

async function allPages(
  send: (token: string | undefined) => Promise<GetCostAndUsageCommandOutput | object>,
  level: 'resource' | 'region',
  where: string,
): Promise<BilledLine[]> {
  const lines: BilledLine[] = [];
  let token: string | undefined;
  do {
    const page = await send(token);
    lines.push(...linesOf(page, level, where));
    token = (page as { NextPageToken?: string }).NextPageToken || undefined;
  } while (token);
  return lines;
}

/** True when a Lambda line is an LMI usage type. */
export function hasLmiUsage(lines: readonly BilledLine[]): boolean {
  return lines.some((l) => isLmiUsageType(l.usageType));
}

/**
 * The capacity providers' EC2 instance cost: one GetCostAndUsage (plus its pages), daily,
 * SERVICE = EC2 compute and REGION in the analysed regions, grouped by the
 * `aws:lambda:capacity-provider` tag and REGION. Instances without the tag come back as one group
 * per day and region with an empty value, and are dropped. Never throws: a refusal or an error is
 * the result's status, and the Lambda comparison goes on without the instances.
 */
async function fetchLmiInstances(
  opts: FetchBillOptions,
  from: string,
  endDay: string,
  send: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<LmiInstanceBill> {
  const service: Expression = { Dimensions: { Key: 'SERVICE', Values: [EC2_COMPUTE_SERVICE] } };
  const filter: Expression =
    opts.regions.length === 0 ? service : { And: [service, { Dimensions: { Key: 'REGION', Values: [...opts.regions] } }] };
  const lines: LmiInstanceLine[] = [];
  const prefix = `${LMI_INSTANCE_TAG}$`;
  try {
    let token: string | undefined;
    do {
      const page: unknown = await send(() =>
        opts.client.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: from, End: endDay },
            Granularity: 'DAILY',
            Filter: filter,
            Metrics: ['UnblendedCost', 'NetUnblendedCost'],
            GroupBy: [
              { Type: 'TAG', Key: LMI_INSTANCE_TAG },
              { Type: 'DIMENSION', Key: 'REGION' },
            ],
            ...(token ? { NextPageToken: token } : {}),
          }),
        ),
      );
      const parsed = pageSchema.safeParse(page);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`ce:GetCostAndUsage (EC2 by tag): unexpected answer at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
      }
      for (const result of parsed.data.ResultsByTime ?? []) {
        const day = result.TimePeriod.Start.slice(0, 10);
        for (const group of result.Groups ?? []) {
          const [tag, region] = group.Keys as [string, string];
          // Cost Explorer names a tag group `<key>$<value>`; `<key>$` is the untagged rest.
          const value = tag.startsWith(prefix) ? tag.slice(prefix.length) : '';
          if (value === '') continue;
          const net = group.Metrics['NetUnblendedCost'];
          lines.push({
            day,
            capacityProvider: value,
            region,
            unblendedUsd: Number(group.Metrics['UnblendedCost']?.Amount ?? '0'),
            netUnblendedUsd: net ? Number(net.Amount) : null,
          });
        }
      }
      token = (page as { NextPageToken?: string }).NextPageToken || undefined;
    } while (token);
  } catch (error) {
    if (isAccessDenied(error)) {
      return { status: 'denied', lines: [], notes: [`the capacity providers' EC2 cost was not read: ce:GetCostAndUsage denied (${describeError(error)})`] };
    }
    return { status: 'failed', lines: [], notes: [`the capacity providers' EC2 cost was not read: ${describeError(error)}`] };
  }
  const notes =
    lines.length === 0
      ? [`no EC2 cost tagged ${LMI_INSTANCE_TAG} on these days (the tag may not be activated as a cost allocation tag): LMI actuals leave the instances out`]
      : [];
  return { status: 'ok', lines, notes };
}

/** Fetches the bill for the window's whole UTC days (resource level: the last 14 of them). */
export async function fetchBill(opts: FetchBillOptions): Promise<BilledData> {
  const days = wholeDays(opts.window);
  const counter = new Counter();
  const maxAttempts = opts.maxAttempts ?? 6;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const notes: string[] = [];
  if (days.length === 0) {
    return {
      status: 'ok',
      level: null,
      startDay: utcDay(Date.parse(opts.window.end)),
      endDay: utcDay(Date.parse(opts.window.end)),
      lines: [],
      requests: 0,
      throttled: 0,
      notes: ['the window holds no whole UTC day'],
    };
  }
  const startDay = days[0]!;
  const endDay = utcDay(Date.parse(`${days[days.length - 1]!}T00:00:00Z`) + DAY_MS);
  const filter = filterFor(opts.regions);
  const send = <T>(call: () => Promise<T>) => sendWithRetry(call, counter, maxAttempts, sleep);
  const result = async (status: BilledData['status'], level: BilledData['level'], from: string, lines: BilledLine[]): Promise<BilledData> => {
    // The capacity providers' instances are billed under EC2: one more query, only when the
    // Lambda bill shows LMI lines (an account without LMI pays nothing more).
    const lmiInstances =
      status === 'ok' && opts.lmiInstances !== false && hasLmiUsage(lines) ? await fetchLmiInstances(opts, from, endDay, send) : undefined;
    return {
      status,
      level,
      startDay: from,
      endDay,
      lines,
      requests: counter.requests,
      throttled: counter.throttled,
      notes,
      ...(lmiInstances ? { lmiInstances } : {}),
    };
  };

  /** All pages of one daily request (each retried): per resource (WithResources) or per region. */
  const dailyLines = (level: 'resource' | 'region', start: string): Promise<BilledLine[]> =>
    allPages(
      (token) =>
        sendWithRetry(
          () => {
            const input = {
              TimePeriod: { Start: start, End: endDay },
              Granularity: 'DAILY' as const,
              Filter: filter,
              Metrics: METRICS,
              GroupBy: [
                { Type: 'DIMENSION' as const, Key: level === 'resource' ? 'RESOURCE_ID' : 'REGION' },
                { Type: 'DIMENSION' as const, Key: 'USAGE_TYPE' },
              ],
              ...(token ? { NextPageToken: token } : {}),
            };
            return level === 'resource'
              ? opts.client.send(new GetCostAndUsageWithResourcesCommand(input))
              : opts.client.send(new GetCostAndUsageCommand(input));
          },
          counter,
          maxAttempts,
          sleep,
        ),
      level,
      level === 'resource' ? 'ce:GetCostAndUsageWithResources' : 'ce:GetCostAndUsage',
    );

  if (opts.resourceLevel !== false) {
    // Resource-level data reaches back 14 days from today (UTC).
    const oldest = utcDay(Date.parse(`${utcDay(opts.now.getTime())}T00:00:00Z`) - RESOURCE_LEVEL_DAYS * DAY_MS);
    const from = startDay > oldest ? startDay : oldest;
    if (from < endDay) {
      try {
        const lines = await dailyLines('resource', from);
        if (from > startDay) notes.push(`resource-level data covers the last ${RESOURCE_LEVEL_DAYS} days only: compared from ${from}`);
        return result('ok', 'resource', from, lines);
      } catch (error) {
        if (isAccessDenied(error)) {
          notes.push(`ce:GetCostAndUsageWithResources denied (${describeError(error)}): compared per region only`);
        } else if (isResourceLevelUnavailable(error)) {
          notes.push(`resource-level data is not available (${describeError(error)}; enable it in Cost Explorer settings): compared per region only`);
        } else {
          notes.push(`ce:GetCostAndUsageWithResources failed (${describeError(error)}): compared per region only`);
        }
      }
    }
  }

  try {
    const lines = await dailyLines('region', startDay);
    return result('ok', 'region', startDay, lines);
  } catch (error) {
    if (isAccessDenied(error)) {
      notes.push(`Cost Explorer denied access (${describeError(error)}); the role needs ce:GetCostAndUsage`);
      return result('denied', null, startDay, []);
    }
    notes.push(`ce:GetCostAndUsage failed: ${describeError(error)}`);
    return result('failed', null, startDay, []);
  }
}

/**
 * The fetcher a live run uses: one Cost Explorer client (its endpoint is us-east-1 whatever the
 * regions analysed; AWS_ENDPOINT_URL_COST_EXPLORER overrides it, as for every SDK client) with
 * SDK retries off, so that fetchBill's own retries are the only ones and each request is counted.
 */
export function liveBillFetcher(settings: { profile?: string; client?: CostExplorerSend } = {}) {
  let client = settings.client;
  return async (args: { window: SnapshotWindow; now: Date; regions: string[] }): Promise<BilledData> => {
    client ??= new CostExplorerClient({ region: 'us-east-1', maxAttempts: 1, ...(settings.profile ? { profile: settings.profile } : {}) });
    try {
      return await fetchBill({ client, ...args });
    } catch (error) {
      // An answer that cannot be read (schema) or a client that cannot be built: the run goes on
      // without the bill and says why, like AccessDenied.
      const days = wholeDays(args.window);
      return {
        status: 'failed',
        level: null,
        startDay: days[0] ?? utcDay(Date.parse(args.window.end)),
        endDay: days.length > 0 ? utcDay(Date.parse(`${days[days.length - 1]!}T00:00:00Z`) + DAY_MS) : utcDay(Date.parse(args.window.end)),
        lines: [],
        requests: 0,
        throttled: 0,
        notes: [`reading the bill failed: ${describeError(error)}`],
      };
    }
  };
}
