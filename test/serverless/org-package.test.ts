import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_ACTIONS, ORGANIZATION_LIST_ACTIONS } from '../../src/org/permissions.js';

/**
 * serverless.yml org mode, packaged with osls offline and read back: the state machine (the
 * deploy/ definition, its three Lambdas), the schedule on the machine instead of the nightly
 * Lambda, and the exact IAM of the job's role (collector actions, sts:AssumeRole on the member
 * role only, organizations:ListAccounts* only with orgSource=organization).
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, any>;
}
interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
}

let base: string;
let org: Template;
let orgAccounts: Template;
let single: Template;

async function packageTo(dir: string, params: string[]): Promise<Template> {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_EC2_METADATA_DISABLED: 'true' };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  await run('npx', ['osls', 'package', '--package', dir, ...params.map((p) => `--param=${p}`)], { cwd: ROOT, env, timeout: 180_000 });
  return JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/** Evaluates the template's Conditions (Fn::Equals, Fn::And, Fn::Not, Condition) as CloudFormation would. */
function conditionTrue(t: Template, name: string): boolean {
  const evaluate = (node: any): boolean => {
    if ('Fn::Equals' in node) return JSON.stringify(node['Fn::Equals'][0]) === JSON.stringify(node['Fn::Equals'][1]);
    if ('Fn::And' in node) return (node['Fn::And'] as unknown[]).every(evaluate);
    if ('Fn::Not' in node) return !evaluate(node['Fn::Not'][0]);
    if ('Condition' in node) return evaluate(t.Conditions![node.Condition as string]);
    throw new Error(`condition ${JSON.stringify(node)}`);
  };
  return evaluate(t.Conditions![name]);
}

/** Resources CloudFormation would create with these parameters. */
function active(t: Template): Record<string, Resource> {
  return Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => !r.Condition || conditionTrue(t, r.Condition)));
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
function roleStatements(t: Template, logicalId: string): Statement[] {
  const all = active(t);
  const role = all[logicalId]!;
  const inline = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(all)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: logicalId }]))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  return [...inline, ...attached];
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'lmi-sls-org-'));
  // One after the other: osls writes into the service dir's .esbuild while packaging.
  org = await packageTo(join(base, 'org'), ['mode=org', 'orgSource=organization', 'orgMaxConcurrency=25', 'orgRoleName=finops-reader', 'schedule=rate(12 hours)', 'orgId=o-abcd1234ef']);
  orgAccounts = await packageTo(join(base, 'accounts'), ['mode=org', 'orgAccounts=111122223333,444455556666']);
  single = await packageTo(join(base, 'single'), []);
}, 600_000);

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('serverless.yml org mode', () => {
  it('deploys the definition from deploy/ as a STANDARD state machine over the three Lambdas', async () => {
    const machine = active(org)['OrgStateMachine']!;
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    const definition = JSON.parse(await readFile(join(ROOT, 'deploy', 'org-state-machine.asl.json'), 'utf8'));
    expect(machine.Properties.Definition).toEqual(definition);
    expect(machine.Properties.DefinitionSubstitutions).toEqual({
      PlanFunctionArn: { 'Fn::GetAtt': ['OrgPlanLambdaFunction', 'Arn'] },
      ShardFunctionArn: { 'Fn::GetAtt': ['OrgShardLambdaFunction', 'Arn'] },
      MergeFunctionArn: { 'Fn::GetAtt': ['OrgMergeLambdaFunction', 'Arn'] },
      ReportsBucketName: { Ref: 'ReportsBucket' },
      OrgRunsPrefix: 'org-runs/',
    });
    const fns = active(org);
    expect(fns['OrgPlanLambdaFunction']!.Properties.Handler).toBe('src/org/handlers.plan');
    expect(fns['OrgShardLambdaFunction']!.Properties.Handler).toBe('src/org/handlers.shard');
    expect(fns['OrgMergeLambdaFunction']!.Properties.Handler).toBe('src/org/handlers.merge');
    expect(fns['OrgShardLambdaFunction']!.Properties.Environment.Variables).toMatchObject({
      LMI_ORG_SOURCE: 'organization',
      LMI_ROLE_NAME: 'finops-reader',
      LMI_MAX_CONCURRENCY: '25',
      LMI_TOLERATED_FAILURE_PERCENTAGE: '50',
    });
  });

  it('schedules the state machine and turns the nightly single-account schedule off', () => {
    const rules = Object.entries(active(org)).filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const orgRule = rules.find(([id]) => id === 'OrgSchedule')![1];
    expect(orgRule.Properties).toMatchObject({ ScheduleExpression: 'rate(12 hours)', State: 'ENABLED' });
    expect(orgRule.Properties.Targets[0].Arn).toEqual({ Ref: 'OrgStateMachine' });
    const nightly = rules.find(([id]) => id.startsWith('Nightly'))![1];
    expect(nightly.Properties.State).toBe('DISABLED');
    const start = roleStatements(org, 'OrgScheduleRole');
    expect(start).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'OrgStateMachine' } }]);
  });

  it("gives the job's role the collector's actions, AssumeRole on the member role only, and ListAccounts* only with --org", () => {
    const statements = roleStatements(org, 'OrgJobRole');
    const granted = statements.flatMap(actions).sort();
    expect(granted).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...COLLECTOR_ACTIONS,
        'sts:AssumeRole',
        's3:PutObject',
        's3:GetObject',
        's3:PutObject',
        's3:GetObject',
        's3:DeleteObject',
        's3:ListBucket',
        'ses:SendEmail',
        'ssm:GetParameter',
        ...ORGANIZATION_LIST_ACTIONS,
      ].sort(),
    );
    const assume = statements.find((s) => actions(s).includes('sts:AssumeRole'))!;
    expect(assume.Resource).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/finops-reader' }]);
    // orgId given: only roles in accounts of that organization; not given: no condition.
    const ifOrg = (t: Template, c: any) => (c && 'Fn::If' in c ? (conditionTrue(t, c['Fn::If'][0]) ? c['Fn::If'][1] : c['Fn::If'][2]) : c);
    expect(ifOrg(org, (assume as any).Condition)).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-abcd1234ef' } });
    const assumeFromList = roleStatements(orgAccounts, 'OrgJobRole').find((s) => actions(s).includes('sts:AssumeRole'))!;
    expect(ifOrg(orgAccounts, (assumeFromList as any).Condition)).toEqual({ Ref: 'AWS::NoValue' });
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    // DeleteObject (the store replacing a day's objects) only under the store prefix.
    const del = statements.find((s) => actions(s).includes('s3:DeleteObject'))!;
    expect(JSON.stringify(del.Resource)).toContain('/store/*');
    expect(JSON.stringify(del.Resource)).not.toContain('/reports/');
    // The shards write the metric store in the reports bucket under store/ (as the nightly Lambda).
    expect(active(org)['OrgShardLambdaFunction']!.Properties.Environment.Variables.LMI_STORE).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: 'ReportsBucket' }, '/store/']] });
    // Without --org (a list of accounts) the organizations statement is not created.
    const fromList = roleStatements(orgAccounts, 'OrgJobRole').flatMap(actions);
    expect(fromList.filter((a) => a.startsWith('organizations:'))).toEqual([]);
    expect(fromList).toContain('sts:AssumeRole');
  });

  it('lets the state machine invoke exactly its three Lambdas and read the run items', () => {
    const statements = roleStatements(org, 'OrgStateMachineRole');
    const invoke = statements.find((s) => actions(s).includes('lambda:InvokeFunction'))!;
    expect(invoke.Resource).toEqual(['OrgPlanLambdaFunction', 'OrgShardLambdaFunction', 'OrgMergeLambdaFunction'].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    expect(statements.flatMap(actions).sort()).toEqual(['lambda:InvokeFunction', 's3:GetObject', 's3:PutObject', 'states:DescribeExecution', 'states:StartExecution', 'states:StopExecution']);
    const s3 = statements.find((s) => actions(s).includes('s3:PutObject'))!;
    expect(JSON.stringify(s3.Resource)).toContain('/org-runs/*');
  });

  it('creates nothing of org mode by default (single mode)', () => {
    const resources = active(single);
    expect(Object.keys(resources).filter((id) => id.startsWith('Org'))).toEqual([]);
    const nightly = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith('Nightly'))![1];
    expect(nightly.Properties.State).toBe('ENABLED');
  });
});
