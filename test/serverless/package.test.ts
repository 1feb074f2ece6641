import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Packages serverless.yml with osls, offline and without credentials (as CI does), and checks
 * the generated CloudFormation: schedule, runtime, architecture, the exact IAM actions, the
 * reports bucket's protections, and that the zip carries what the renderers load at run time.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

let defaultDir: string;
let customDir: string;
let template: Template;
let custom: Template;

async function packageTo(dir: string, params: string[] = []): Promise<Template> {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_EC2_METADATA_DISABLED: 'true' };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  await run('npx', ['osls', 'package', '--package', dir, ...params.map((p) => `--param=${p}`)], { cwd: ROOT, env, timeout: 120_000 });
  return JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

function ofType(t: Template, type: string) {
  return Object.values(t.Resources).filter((r) => r.Type === type);
}

function statements(t: Template): Statement[] {
  const [role] = ofType(t, 'AWS::IAM::Role');
  return (role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'lmi-sls-'));
  defaultDir = join(base, 'default');
  customDir = join(base, 'custom');
  // One after the other: osls writes into the service dir's .esbuild while packaging.
  template = await packageTo(defaultDir);
  custom = await packageTo(customDir, ['schedule=rate(6 hours)', 'reportPrefix=finops/', 'sesIdentity=example.com', 'slackWebhookParameter=/team/slack', 'reconcile=false', 'storePrefix=history/', 'storeRetentionDays=30']);
}, 180_000);

afterAll(async () => {
  if (defaultDir) await rm(join(defaultDir, '..'), { recursive: true, force: true });
});

describe('packaged CloudFormation', () => {
  it('runs the handler nightly on nodejs22.x arm64, without async retries', () => {
    const [fn] = ofType(template, 'AWS::Lambda::Function');
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'src/handler.handler', Timeout: 900 });
    const [rule] = ofType(template, 'AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    const [invokeConfig] = ofType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(invokeConfig?.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('takes the schedule and names from parameters', () => {
    const [rule] = ofType(custom, 'AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('rate(6 hours)');
    const json = JSON.stringify(statements(custom));
    expect(json).toContain('/finops/*');
    expect(json).toContain(':identity/example.com');
    expect(json).toContain(':parameter/team/slack');
    const [fn] = ofType(custom, 'AWS::Lambda::Function');
    expect(fn?.Properties.Environment.Variables).toMatchObject({ REPORT_PREFIX: 'finops/', SLACK_WEBHOOK_PARAMETER: '/team/slack', LMI_RECONCILE: 'false' });
  });

  it('reconciles with the bill by default (param reconcile), with Cost Explorer read actions only', () => {
    const [fn] = ofType(template, 'AWS::Lambda::Function');
    expect(fn?.Properties.Environment.Variables.LMI_RECONCILE).toBe('true');
    const ce = statements(template).filter((s) => actions(s).some((a) => a.startsWith('ce:')));
    expect(ce.flatMap(actions).sort()).toEqual(['ce:GetCostAndUsage', 'ce:GetCostAndUsageWithResources']);
  });

  it('grants exactly the actions the job needs', () => {
    // As a set: the reports and the store grant s3:GetObject/PutObject on their own prefixes.
    const all = [...new Set(statements(template).flatMap(actions))].sort();
    expect(all).toEqual(
      [
        // added by the framework for the function's own log group
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:TagResource',
        // collector (read-only)
        'cloudwatch:GetMetricData',
        'cloudwatch:ListMetrics',
        'lambda:ListCapacityProviders',
        'lambda:ListFunctions',
        'lambda:ListProvisionedConcurrencyConfigs',
        'pricing:GetProducts',
        'tag:GetResources',
        // reconciliation with the bill (--reconcile, on by default in the nightly job)
        'ce:GetCostAndUsage',
        'ce:GetCostAndUsageWithResources',
        // publishers and the metric store
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'ses:SendEmail',
        'ssm:GetParameter',
      ].sort(),
    );
    expect(statements(template).every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('allows only read actions on Resource "*", and scopes every write', () => {
    for (const s of statements(template)) {
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      for (const action of actions(s)) {
        expect(action).not.toContain('*');
        if (resources.includes('*')) expect(action).toMatch(/^[a-z0-9-]+:(List|Get|Describe)[A-Za-z]+$/);
      }
    }
    const put = statements(template).find((s) => actions(s).includes('s3:PutObject') && !actions(s).includes('s3:DeleteObject'));
    expect(JSON.stringify(put?.Resource)).toContain('/reports/*');
    // The store's own access: its prefix only, and the only statement that may delete.
    const deleting = statements(template).filter((s) => actions(s).includes('s3:DeleteObject'));
    expect(deleting).toHaveLength(1);
    expect(JSON.stringify(deleting[0]?.Resource)).toContain('/store/*');
    expect(JSON.stringify(deleting[0]?.Resource)).not.toContain('/reports/');
    const ses = statements(template).find((s) => actions(s).includes('ses:SendEmail'));
    expect(JSON.stringify(ses?.Resource)).toContain(':identity/finops@example.com');
    const ssm = statements(template).find((s) => actions(s).includes('ssm:GetParameter'));
    expect(JSON.stringify(ssm?.Resource)).toContain(':parameter/lmi-advisor/slack-webhook-url');
  });

  it('grants every AWS call the collector makes (read from src/source and src/prices)', async () => {
    // Service module -> IAM prefix; sts:GetCallerIdentity needs no permission.
    const prefixes: Record<string, string> = { cloudwatch: 'cloudwatch', lambda: 'lambda', 'resource-groups-tagging-api': 'tag', pricing: 'pricing', sts: 'sts', 'cost-explorer': 'ce' };
    const needed = new Set<string>();
    for (const dir of ['src/source', 'src/prices', 'src/bill']) {
      for (const file of await readdir(join(ROOT, dir), { recursive: true })) {
        if (!file.endsWith('.ts')) continue;
        const text = await readFile(join(ROOT, dir, file), 'utf8');
        for (const m of text.matchAll(/import\s*{([^}]*)}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
          const prefix = prefixes[m[2] as string];
          for (const name of (m[1] as string).matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)) {
            if (!prefix) throw new Error(`${dir}/${file}: client-${m[2]} has no IAM prefix in this test`);
            const action = `${prefix}:${name[1]}`;
            if (action !== 'sts:GetCallerIdentity') needed.add(action);
          }
        }
      }
    }
    const granted = new Set(statements(template).flatMap(actions));
    expect(needed.size).toBeGreaterThan(0);
    expect([...needed].filter((a) => !granted.has(a))).toEqual([]);
  });

  it('creates an encrypted, private reports bucket whose dated runs expire and latest/ stays', () => {
    const bucket = ofType(template, 'AWS::S3::Bucket').find((b) => b.Properties.LifecycleConfiguration);
    expect(bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [rule] = bucket?.Properties.LifecycleConfiguration.Rules as { Status: string; Prefix: string; ExpirationInDays: number }[];
    expect(rule?.Status).toBe('Enabled');
    expect(rule?.ExpirationInDays).toBe(90);
    expect('reports/2026-11-21/report.json'.startsWith(rule?.Prefix ?? '?')).toBe(true);
    expect('reports/latest/report.json'.startsWith(rule?.Prefix ?? '?')).toBe(false);
  });
});

describe('metric store', () => {
  it('points the job at the store in the reports bucket and expires it after storeRetentionDays', () => {
    const [fn] = ofType(template, 'AWS::Lambda::Function');
    expect(JSON.stringify(fn?.Properties.Environment.Variables.LMI_STORE)).toContain('/store/');
    const bucket = ofType(template, 'AWS::S3::Bucket').find((b) => b.Properties.LifecycleConfiguration);
    const rules = bucket?.Properties.LifecycleConfiguration.Rules as { Id: string; Status: string; Prefix: string; ExpirationInDays: number }[];
    const store = rules.find((r) => r.Id === 'expire-store');
    expect(store).toMatchObject({ Status: 'Enabled', Prefix: 'store/', ExpirationInDays: 400 });
    // The dated-reports rule does not reach the store, nor the store rule the reports.
    expect('store/metrics/account=1/region=r/date=2026-11-21/x.parquet'.startsWith(rules[0]?.Prefix ?? '?')).toBe(false);
    expect('reports/latest/report.json'.startsWith(store?.Prefix ?? '?')).toBe(false);
  });

  it('declares Glue tables with partition projection over the store for Athena', () => {
    const [db] = ofType(template, 'AWS::Glue::Database');
    expect(db?.Properties.DatabaseInput.Name).toBe('lmi_advisor');
    const tables = ofType(template, 'AWS::Glue::Table').map((t) => t.Properties.TableInput as { Name: string; Parameters: Record<string, unknown>; PartitionKeys: { Name: string }[]; StorageDescriptor: { Columns: { Name: string }[] } });
    expect(tables.map((t) => t.Name).sort()).toEqual(['store_functions', 'store_metrics']);
    const metrics = tables.find((t) => t.Name === 'store_metrics')!;
    expect(metrics.PartitionKeys.map((k) => k.Name)).toEqual(['account', 'region', 'date']);
    expect(metrics.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.date.type': 'date', 'projection.date.format': 'yyyy-MM-dd' });
    const template_ = JSON.stringify(metrics.Parameters['storage.location.template']);
    expect(template_.replace(/","/g, '')).toContain('/store/metrics/account=${account}/region=${region}/date=${date}/');
    expect(metrics.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(
      ['function_name', 'ts', 'invocations', 'duration_ms_sum', 'concurrency_max', 'duration_ms_max', 'errors', 'throttles'],
    );
  });

  it('takes the store prefix and retention from parameters', () => {
    const bucket = ofType(custom, 'AWS::S3::Bucket').find((b) => b.Properties.LifecycleConfiguration);
    const rules = bucket?.Properties.LifecycleConfiguration.Rules as { Id: string; Prefix: string; ExpirationInDays: number }[];
    const store = rules.find((r) => r.Id === 'expire-store');
    expect(store?.Prefix).toBe('history/');
    // A --param is a string; CloudFormation reads "30" as the integer 30.
    expect(Number(store?.ExpirationInDays)).toBe(30);
    expect(JSON.stringify(statements(custom))).toContain('/history/*');
  });
});

describe('packaged zip', () => {
  it('holds the bundle, package.json and every template the renderers load', async () => {
    const { stdout } = await run('unzip', ['-Z1', join(defaultDir, 'nightly.zip')]);
    const entries = stdout.split('\n').filter((l) => l !== '');
    const templates = (await readdir(join(ROOT, 'templates'), { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => relative(ROOT, join(d.parentPath, d.name)));
    expect(templates.length).toBeGreaterThan(0);
    expect(entries).toEqual(expect.arrayContaining(['src/handler.mjs', 'package.json', ...templates]));
    const { stdout: pkg } = await run('unzip', ['-p', join(defaultDir, 'nightly.zip'), 'package.json']);
    expect(JSON.parse(pkg).name).toBe('lmi-advisor');
  });

  it('loads as an ES module and exports the handler', async () => {
    const dir = join(defaultDir, 'unzipped');
    await run('unzip', ['-q', join(defaultDir, 'nightly.zip'), '-d', dir]);
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(dir, 'src', 'handler.mjs'))}); console.log(typeof m.handler);`,
    ]);
    expect(stdout.trim()).toBe('function');
  });
});
