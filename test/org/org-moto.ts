import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../helpers/moto.js';
import { putTraffic, type MotoClients } from '../publish/moto-account.js';

/**
 * Several accounts in one moto: moto is multi-account, and credentials from AssumeRole act in
 * the account of the role's ARN. moto grants every AssumeRole (it does not check trust
 * policies), so `startStsGate` puts a local node:http gate in front of it that answers
 * AccessDenied for the roles a test names, as STS does for a role that does not exist or does
 * not trust the caller, and passes everything else through to moto unchanged.
 */

export const CURRENT_ACCOUNT = '123456789012';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credentials acting in `accountId` (the default moto account: the plain test keys). */
export async function credentialsFor(endpoint: string, accountId: string): Promise<Creds> {
  if (accountId === CURRENT_ACCOUNT) return MOTO_CREDENTIALS;
  const sts = new STSClient({ region: 'us-east-1', endpoint, credentials: MOTO_CREDENTIALS });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/setup`, RoleSessionName: 'setup' }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

const emptyZip = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);

/** Functions with steady traffic in one account and region. */
export async function seedAccountRegion(
  moto: MotoServer,
  accountId: string,
  region: string,
  functions: { name: string; memoryMB: number; invocations: number; durationMs: number; concurrency: number }[],
  start: Date,
  hours: number,
): Promise<void> {
  const credentials = await credentialsFor(moto.endpoint, accountId);
  const c = { region, endpoint: moto.endpoint, credentials, maxAttempts: 1 };
  const iam = new IAMClient(c);
  const lambda = new LambdaClient(c);
  const cloudWatch = new CloudWatchClient(c);
  const role = await iam
    .send(new CreateRoleCommand({ RoleName: `fn-role-${region}`, AssumeRolePolicyDocument: '{}' }))
    .then((r) => r.Role!.Arn!);
  for (const f of functions) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: f.name,
        Role: role,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        MemorySize: f.memoryMB,
        Architectures: ['arm64'],
        Code: { ZipFile: emptyZip },
      }),
    );
    await putTraffic({ cloudWatch } as MotoClients, f.name, start, hours, { invocations: f.invocations, durationMs: f.durationMs, concurrency: f.concurrency });
  }
}

export interface StsGate {
  endpoint: string;
  /** Role ARNs (or substrings: an account id) whose AssumeRole is denied. */
  deny: string[];
  assumed: string[];
  close(): Promise<void>;
}

export async function startStsGate(motoEndpoint: string): Promise<StsGate> {
  const gate: StsGate = { endpoint: '', deny: [], assumed: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = decodeURIComponent(body.toString('utf8').replace(/\+/g, ' '));
      if (/Action=AssumeRole(&|$)/.test(text)) {
        const arn = /RoleArn=([^&]+)/.exec(text)?.[1] ?? '';
        gate.assumed.push(arn);
        if (gate.deny.some((d) => arn.includes(d))) {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::${CURRENT_ACCOUNT}:assumed-role/job is not authorized to perform: sts:AssumeRole on resource: ${arn}</Message></Error><RequestId>gate</RequestId></ErrorResponse>`,
          );
          return;
        }
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      fetch(`${motoEndpoint}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) })
        .then(async (r) => {
          const out = Buffer.from(await r.arrayBuffer());
          const h: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') h[k] = v;
          });
          res.writeHead(r.status, h);
          res.end(out);
        })
        .catch((e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  gate.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  gate.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gate;
}

/** GetProducts from the bundled us-east-1 items, relabelled for the region asked (same figures). */
export function mockPrices() {
  const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'src', 'prices', 'bundled', 'price-list.json'), 'utf8')) as {
    items: { serviceCode: string; product: { attributes: Record<string, string> } }[];
  };
  const mock = mockClient(PricingClient);
  mock.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => {
    const region = input.Filters?.find((f) => f.Field === 'regionCode')?.Value ?? '';
    const items = file.items
      .filter((i) => i.serviceCode === input.ServiceCode)
      .map((i) => ({ ...i, product: { ...i.product, attributes: { ...i.product.attributes, regionCode: region } } }));
    return { FormatVersion: 'aws_v1', PriceList: items.map((i) => JSON.stringify(i)) };
  });
  return mock;
}

/** What the org command tests run against: moto, the STS gate in front of it, the Price List mock, a temp dir with cfg.yaml. */
export interface OrgMoto {
  moto: MotoServer;
  gate: StsGate;
  pricing: ReturnType<typeof mockPrices>;
  /** Holds `cfg.yaml`: a one-day window is enough to recommend. */
  dir: string;
  /** Stops and removes what was started (also what a failed start left). */
  stop: () => Promise<void>;
}

export async function startOrgMoto(tmpPrefix: string): Promise<OrgMoto> {
  const started: Partial<Omit<OrgMoto, 'stop'>> = {};
  const stop = async () => {
    started.pricing?.restore();
    await started.gate?.close();
    await started.moto?.stop();
    if (started.dir) await rm(started.dir, { recursive: true, force: true });
  };
  try {
    const moto = (started.moto = await startMoto());
    started.gate = await startStsGate(moto.endpoint);
    started.pricing = mockPrices();
    const dir = (started.dir = await mkdtemp(join(tmpdir(), tmpPrefix)));
    await writeFile(join(dir, 'cfg.yaml'), 'recommend:\n  minWindowDays: 1\n');
    return { moto, gate: started.gate, pricing: started.pricing, dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
