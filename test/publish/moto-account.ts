import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from '@aws-sdk/client-pricing';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, vi } from 'vitest';
import { join } from 'node:path';
import type { AwsClientFactory } from '../../src/source/aws/clients.js';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../helpers/moto.js';

/**
 * A small account in moto for the nightly-job tests: Lambda functions with CloudWatch traffic,
 * a reports bucket, a verified SES sender, the webhook URL as an SSM SecureString, the Price
 * List API mocked in-process (moto has no pricing backend) with the bundled items in the
 * API's own shape, and a node:http Slack receiver on 127.0.0.1.
 */

export const REGION = 'us-east-1';
export const BUCKET = 'lmi-reports';
export const SENDER = 'finops@example.com';
export const WEBHOOK_PARAMETER = '/lmi-advisor/slack-webhook-url';

export function clientConfig(moto: MotoServer) {
  return { region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 };
}

export function motoClients(moto: MotoServer) {
  const c = clientConfig(moto);
  return {
    lambda: new LambdaClient(c),
    cloudWatch: new CloudWatchClient(c),
    tagging: new ResourceGroupsTaggingAPIClient(c),
    s3: new S3Client({ ...c, forcePathStyle: true }),
    ses: new SESv2Client(c),
    ssm: new SSMClient(c),
    iam: new IAMClient(c),
    sts: new STSClient(c),
  };
}

export type MotoClients = ReturnType<typeof motoClients>;

/** The collector's client factory, pointed at moto; Pricing is the in-process mock. */
export function collectorClients(clients: MotoClients): AwsClientFactory {
  const pricing = new PricingClient({ region: REGION, credentials: MOTO_CREDENTIALS });
  return {
    forRegion: () => ({ lambda: clients.lambda, cloudWatch: clients.cloudWatch, tagging: clients.tagging }),
    pricing: () => pricing,
    sts: () => clients.sts,
  };
}

/** GetProducts answered from the bundled items (objects, as strings like the API sends). */
export function mockPriceListApi() {
  const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'src', 'prices', 'bundled', 'price-list.json'), 'utf8')) as {
    items: { serviceCode: string; product: { attributes: Record<string, string> } }[];
  };
  const mock = mockClient(PricingClient);
  mock.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => {
    const region = input.Filters?.find((f) => f.Field === 'regionCode')?.Value;
    const items = file.items.filter((i) => i.serviceCode === input.ServiceCode && i.product.attributes['regionCode'] === region);
    return { FormatVersion: 'aws_v1', PriceList: items.map((i) => JSON.stringify(i)) };
  });
  return mock;
}

let roleArn: string | undefined;

export async function createFunction(clients: MotoClients, name: string, memoryMB = 2048): Promise<void> {
  if (!roleArn) {
    const role = await clients.iam.send(new CreateRoleCommand({ RoleName: 'lmi-test-role', AssumeRolePolicyDocument: '{}' }));
    roleArn = role.Role?.Arn;
  }
  // An empty zip (end-of-central-directory record only) is enough for moto.
  const emptyZip = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: roleArn,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: memoryMB,
      Architectures: ['arm64'],
      Code: { ZipFile: emptyZip },
    }),
  );
}

export function resetRole(): void {
  roleArn = undefined;
}

/**
 * Steady traffic for `name` from `start` for `hours`, one datum every 15 minutes (the minutes
 * between are idle): invocations, total duration (ms) and peak concurrency of that minute.
 */
export async function putTraffic(
  clients: MotoClients,
  name: string,
  start: Date,
  hours: number,
  perDatum: { invocations: number; durationMs: number; concurrency: number },
): Promise<void> {
  const data: MetricDatum[] = [];
  const dims = [{ Name: 'FunctionName', Value: name }];
  for (let t = start.getTime(); t < start.getTime() + hours * 3_600_000; t += 900_000) {
    const Timestamp = new Date(t);
    data.push(
      { MetricName: 'Invocations', Dimensions: dims, Timestamp, Value: perDatum.invocations, Unit: 'Count' },
      // A statistic set, as Lambda reports it: Sum over the invocations, Maximum of one invocation
      // (a single value of the sum would read as one impossibly long invocation).
      {
        MetricName: 'Duration',
        Dimensions: dims,
        Timestamp,
        StatisticValues: { SampleCount: perDatum.invocations, Sum: perDatum.invocations * perDatum.durationMs, Minimum: perDatum.durationMs, Maximum: perDatum.durationMs },
        Unit: 'Milliseconds',
      },
      { MetricName: 'ConcurrentExecutions', Dimensions: dims, Timestamp, Value: perDatum.concurrency, Unit: 'Count' },
    );
  }
  // moto 5.2 answers HTTP 500 to larger PutMetricData batches (about 100 data and up).
  for (let i = 0; i < data.length; i += 30) {
    await clients.cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 30) }));
  }
}

export async function createBucketAndIdentities(clients: MotoClients, webhookUrl: string): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await clients.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: SENDER }));
  await clients.ssm.send(new PutParameterCommand({ Name: WEBHOOK_PARAMETER, Type: 'SecureString', Value: webhookUrl, Overwrite: true }));
}

export async function listKeys(clients: MotoClients): Promise<string[]> {
  const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

export async function getText(clients: MotoClients, key: string): Promise<string> {
  const out = await clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await out.Body?.transformToString('utf-8')) ?? '';
}

/** SES v1 GetSendQuota.SentLast24Hours (moto counts sent mail there); no SES v1 client needed. */
export async function sentEmails(moto: MotoServer): Promise<number> {
  const res = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope's service name; it does not check signatures.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20261122/${REGION}/ses/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=GetSendQuota&Version=2010-12-01',
  });
  const text = await res.text();
  const m = /<SentLast24Hours>([\d.]+)<\/SentLast24Hours>/.exec(text);
  if (!m) throw new Error(`GetSendQuota: unexpected answer ${res.status}: ${text.slice(0, 200)}`);
  return Number(m[1]);
}

export interface SlackReceiver {
  url: string;
  /** Secret path part, as in a real webhook URL. */
  received: { path: string; contentType: string | undefined; body: unknown }[];
  status: number;
  /** Statuses for the next requests, one each, before `status` applies again. */
  script: number[];
  /** Extra headers of a non-200 answer (e.g. Retry-After). */
  failHeaders: Record<string, string>;
  close(): Promise<void>;
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const receiver: SlackReceiver = { url: '', received: [], status: 200, script: [], failHeaders: {}, close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // keep the raw text
      }
      receiver.received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: parsed });
      const status = receiver.script.shift() ?? receiver.status;
      res.writeHead(status, { 'content-type': 'text/plain', ...(status === 200 ? {} : receiver.failHeaders) });
      // A failing receiver echoes the request path (the secret part of a webhook URL), so a
      // test sees whether the error text that reaches logs is redacted.
      res.end(status === 200 ? 'ok' : `internal_error at ${req.url ?? ''}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  receiver.url = `http://127.0.0.1:${port}/services/T0TEST/B0TEST/s3cr3tT0k3nXYZ`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

export interface MotoAccount {
  /** The running moto_server (valid inside tests). */
  readonly moto: MotoServer;
  /** A temporary directory removed after the file. */
  readonly dir: string;
  /** Points the SDK's default clients (no injection) at moto, as a laptop run would be. */
  useSdkEnv(): void;
}

/**
 * For a test file driving a command through the SDK's default clients: starts moto, mocks the
 * Price List API, makes a temporary directory, and undoes all of it after the file.
 */
export function useMotoAccount(prefix: string): MotoAccount {
  let moto: MotoServer | undefined;
  let pricing: ReturnType<typeof mockPriceListApi> | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    pricing = mockPriceListApi();
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    pricing?.restore();
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get moto() {
      if (!moto) throw new Error('moto is not started (use it inside a test)');
      return moto;
    },
    get dir() {
      if (!dir) throw new Error('no temporary directory yet (use it inside a test)');
      return dir;
    },
    useSdkEnv() {
      vi.stubEnv('AWS_ENDPOINT_URL', this.moto.endpoint);
      vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
      vi.stubEnv('AWS_REGION', REGION);
      resetRole();
    },
  };
}
