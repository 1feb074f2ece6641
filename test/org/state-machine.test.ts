import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../helpers/moto.js';

/**
 * The org state machine (deploy/org-state-machine.asl.json, the file serverless.yml deploys):
 * valid ASL per asl-validator, and executed by moto's own Step Functions engine with Lambda
 * answering queued results (no Docker): the Distributed Map reads its items from S3 and runs
 * every one, a failing item is tolerated, and the merge runs once.
 */

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errorsText: (sep?: string) => string };

const ROOT = join(import.meta.dirname, '..', '..');
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** The definition with its DefinitionSubstitutions applied, as CloudFormation does. */
export function definitionWith(subs: Record<string, string>): string {
  const text = readFileSync(join(ROOT, 'deploy', 'org-state-machine.asl.json'), 'utf8');
  return text.replace(/\$\{(\w+)\}/g, (m, key: string) => subs[key] ?? m);
}

const SUBS = { PlanFunctionArn: arn('org-plan'), ShardFunctionArn: arn('org-shard'), MergeFunctionArn: arn('org-merge'), ReportsBucketName: 'reports', OrgRunsPrefix: 'org-runs/' };

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

describe('org state machine definition', () => {
  it('is valid ASL, with every substitution filled', () => {
    const text = definitionWith(SUBS);
    expect(text).not.toMatch(/\$\{\w+\}/);
    const result = aslValidator(JSON.parse(text));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('runs in moto: every item once, one failing item tolerated and named, merge once', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${moto.endpoint}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect((await post('/moto-api/config', { stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } })).ok).toBe(true);
    const c = { region: REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    const iam = new IAMClient(c);
    const lambda = new LambdaClient(c);
    const s3 = new S3Client({ ...c, forcePathStyle: true });
    const sfn = new SFNClient(c);
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'org-job', AssumeRolePolicyDocument: '{}' }))).Role!.Arn!;
    const zip = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);
    for (const name of ['org-plan', 'org-shard', 'org-merge']) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role, Runtime: 'nodejs22.x', Handler: 'x.handler', Code: { ZipFile: zip } }));
    }
    await s3.send(new CreateBucketCommand({ Bucket: 'reports' }));
    const items = ['111111111111', '222222222222', '333333333333'].flatMap((accountId) =>
      ['us-east-1', 'eu-west-1'].map((region) => ({ accountId, region, roleArn: `arn:aws:iam::${accountId}:role/lmi-advisor-reader` })),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'org-runs/r1/items.json', Body: JSON.stringify(items) }));

    // What each Lambda returns, in invocation order: plan, the shards (one answers without a
    // result key, so its Task fails after ResultSelector), then merge.
    const plan = { runId: 'r1', bucket: 'reports', prefix: 'org-runs/r1/', itemsKey: 'org-runs/r1/items.json', generatedAt: '2026-11-21T03:00:00.000Z', maxConcurrency: 2, toleratedFailurePercentage: 50 };
    const shards = items.map((it, i) => (i === 3 ? { error: 'boom' } : { key: `org-runs/r1/shards/${it.accountId}-${it.region}.json` }));
    const merge = { complete: false, failedShards: 1, reportUrl: 's3://reports/x' };
    const queued = [plan, ...shards, merge].map((r) => JSON.stringify(r));
    expect((await post('/moto-api/static/lambda-simple/response', { results: queued, region: REGION })).ok).toBe(true);

    const machine = await sfn.send(new CreateStateMachineCommand({ name: 'lmi-org', roleArn: role, definition: definitionWith(SUBS), type: 'STANDARD' }));
    const exec = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn!, input: '{}' }));
    let status = 'RUNNING';
    let output: string | undefined;
    for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: exec.executionArn! }));
      status = d.status ?? 'UNKNOWN';
      output = d.output;
    }
    const events: HistoryEvent[] = [];
    let token: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: exec.executionArn!, ...(token ? { nextToken: token } : {}) }));
      events.push(...(page.events ?? []));
      token = page.nextToken;
    } while (token);
    expect(status).toBe('SUCCEEDED');
    // The Map ran every item: five succeeded, the failing one was tolerated (1/6 < 50 %).
    const runs = await sfn.send(new ListMapRunsCommand({ executionArn: exec.executionArn! }));
    expect(runs.mapRuns).toHaveLength(1);
    const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn: runs.mapRuns![0]!.mapRunArn! }));
    expect(run.itemCounts).toMatchObject({ total: 6, succeeded: 5, failed: 1 });
    expect(run.maxConcurrency).toBe(2);
    // Plan and merge are the execution's own tasks: one each, merge after the Map.
    const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => JSON.parse(e.taskScheduledEventDetails!.parameters!) as { FunctionName: string });
    expect(scheduled.map((p) => p.FunctionName)).toEqual([SUBS.PlanFunctionArn, SUBS.MergeFunctionArn]);
    const order = events.map((e) => e.type);
    expect(order.lastIndexOf('TaskScheduled')).toBeGreaterThan(order.indexOf('MapStateExited'));
    // The merge's answer is the execution's result; the plan's knobs travelled in the state.
    const final = JSON.parse(output!) as { shards: { mapRunArn: string } };
    expect(final).toMatchObject({ plan: { runId: 'r1', maxConcurrency: 2 }, result: { complete: false, failedShards: 1 } });
    // The children's outputs went to S3 (ResultWriter); only the map run's ARN stays in the state.
    expect(final.shards).toEqual({ mapRunArn: runs.mapRuns![0]!.mapRunArn });
    expect(output!.length).toBeLessThan(2000);
    const written = await s3.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: 'org-runs/map-results' }));
    expect((written.Contents ?? []).length).toBeGreaterThan(0);
    // The definition has no null (serverless would drop it when including the file).
    expect(definitionWith(SUBS)).not.toMatch(/:\s*null/);
  }, 120_000);
});
