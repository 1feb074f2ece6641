import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A local endpoint (127.0.0.1) that serves MANY accounts for bench/org.ts, over the SDK's own
 * wire protocols: STS (query/XML) AssumeRole hands out keys that name the role's account, and
 * every other call (Lambda ListFunctions, CloudWatch GetMetricData/ListMetrics, Tagging
 * GetResources, ListCapacityProviders) answers for the account and region of the caller's keys,
 * read from the SigV4 credential scope. Metric values are a hash of account, function, metric
 * and time, so every account has its own traffic and a re-read gives the same numbers.
 */

export interface OrgFakeOptions {
  functionsPerAccount: number;
  /** The job's own account (the plain keys). */
  currentAccount: string;
  latencyMs: [number, number];
  density: number;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** AKIDs of assumed roles: ASIA + the 12-digit account + 4 letters (20 characters, like AWS's). */
const keyFor = (accountId: string) => `ASIA${accountId}BNCH`;

export async function startOrgFake(o: OrgFakeOptions): Promise<{ endpoint: string; counts: Record<string, number>; close(): Promise<void> }> {
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };

  const callerOf = (req: IncomingMessage) => {
    const m = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    const akid = m?.[1] ?? '';
    const account = /^ASIA(\d{12})BNCH$/.exec(akid)?.[1] ?? o.currentAccount;
    return { account, region: m?.[2] ?? 'us-east-1' };
  };

  function value(fnHash: number, steady: boolean, metric: string, stat: string, t: number): number | null {
    // A third of the functions are steady Node.js APIs (every period, ~70 busy): the kind LMI suits.
    if (steady) {
      const invocations = 200_000 + (fnHash % 10_000);
      if (metric === 'Invocations') return invocations;
      if (metric === 'Duration') return stat === 'Sum' ? invocations * 100 : 300;
      if (metric === 'ConcurrentExecutions') return 75 + (fnHash % 10);
      return 0;
    }
    let h = Math.imul(fnHash ^ t, 2654435761) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    if ((h % 10_000) / 10_000 >= o.density) return null;
    const invocations = 100 + (h % 9_000);
    if (metric === 'Invocations') return invocations;
    if (metric === 'Duration') return stat === 'Sum' ? invocations * 180 : 400;
    if (metric === 'ConcurrentExecutions') return 1 + (h % 40);
    return 0;
  }

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const json = (res: ServerResponse, type: string, payload: unknown) => send(res, 200, type, JSON.stringify(payload));

  function handle(req: IncomingMessage, body: string, res: ServerResponse) {
    const { account, region } = callerOf(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (body.includes('Action=AssumeRole')) {
      count('sts:AssumeRole');
      const arn = decodeURIComponent(/RoleArn=([^&]+)/.exec(body)?.[1] ?? '');
      const roleAccount = /iam::(\d{12}):role/.exec(arn)?.[1] ?? o.currentAccount;
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      return send(
        res,
        200,
        'text/xml',
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${keyFor(roleAccount)}</AccessKeyId><SecretAccessKey>bench</SecretAccessKey><SessionToken>bench</SessionToken><Expiration>${expires}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${roleAccount}:assumed-role/reader/lmi-advisor</Arn><AssumedRoleId>AROA:lmi-advisor</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    }
    if (body.includes('Action=GetCallerIdentity')) {
      count('sts:GetCallerIdentity');
      return send(
        res,
        200,
        'text/xml',
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/bench</Arn><UserId>bench</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }
    // The bench reads and resets the call counts between its steps (not an AWS API).
    if (url.pathname === '/__counts') {
      const out = JSON.stringify(counts);
      if (req.method === 'POST') for (const k of Object.keys(counts)) delete counts[k];
      return send(res, 200, 'application/json', out);
    }
    if (target === 'GraniteServiceVersion20100801.GetMetricData') {
      count('cloudwatch:GetMetricData');
      const q = JSON.parse(body) as {
        MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } }[];
        StartTime: number;
        EndTime: number;
      };
      counts['cloudwatch:GetMetricData queries'] = (counts['cloudwatch:GetMetricData queries'] ?? 0) + q.MetricDataQueries.length;
      return json(res, 'application/x-amz-json-1.0', {
        MetricDataResults: q.MetricDataQueries.map((m) => {
          const fn = m.MetricStat.Metric.Dimensions.find((d) => d.Name === 'FunctionName')?.Value ?? '';
          const h = hash(`${account}/${region}/${fn}`);
          const steady = Number(fn.slice(3)) % 3 === 0;
          const timestamps: number[] = [];
          const values: number[] = [];
          for (let t = q.StartTime; t < q.EndTime; t += m.MetricStat.Period) {
            const v = value(h, steady, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, t);
            if (v !== null) {
              timestamps.push(t);
              values.push(v);
            }
          }
          return { Id: m.Id, Label: m.MetricStat.Metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
        }),
        Messages: [],
      });
    }
    if (target === 'GraniteServiceVersion20100801.ListMetrics') {
      count('cloudwatch:ListMetrics');
      return json(res, 'application/x-amz-json-1.0', { Metrics: [] });
    }
    if (target === 'ResourceGroupsTaggingAPI_20170126.GetResources') {
      count('tag:GetResources');
      return json(res, 'application/x-amz-json-1.1', { ResourceTagMappingList: [] });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/2015-03-31/functions')) {
      count('lambda:ListFunctions');
      const start = Number(url.searchParams.get('Marker') ?? '0');
      const size = Math.min(50, Number(url.searchParams.get('MaxItems') ?? '50'));
      const end = Math.min(o.functionsPerAccount, start + size);
      const functions = [];
      for (let i = start; i < end; i++) {
        const name = `fn-${String(i).padStart(5, '0')}`;
        functions.push({
          FunctionName: name,
          FunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}`,
          Runtime: ['nodejs22.x', 'python3.13', 'java21'][i % 3],
          MemorySize: [2048, 1024, 512][i % 3],
          Timeout: 30,
          Architectures: [i % 2 === 0 ? 'arm64' : 'x86_64'],
          EphemeralStorage: { Size: 512 },
          PackageType: 'Zip',
        });
      }
      return json(res, 'application/json', { Functions: functions, ...(end < o.functionsPerAccount ? { NextMarker: String(end) } : {}) });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/2025-11-30/capacity-providers')) {
      count('lambda:ListCapacityProviders');
      return json(res, 'application/json', { CapacityProviders: [] });
    }
    count('unknown');
    return send(res, 404, 'application/json', JSON.stringify({ __type: 'UnknownOperationException', message: `not faked: ${target || url.pathname}` }));
  }

  const [minMs, maxMs] = o.latencyMs;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const delay = minMs + (maxMs - minMs) * random();
      if (delay > 0) setTimeout(() => handle(req, body, res), delay);
      else handle(req, body, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
