import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListCapacityProvidersCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { PricingClient } from '@aws-sdk/client-pricing';
import { STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { UserInputError } from '../../../src/errors.js';
import { register } from '../../../src/cli/record-command.js';
import { attachContext, type CliContext } from '../../../src/cli/io.js';
import type { AwsClientFactory, RegionClients } from '../../../src/source/aws/index.js';
import { openSnapshot } from '../../../src/source/snapshot-reader.js';
import type { FunctionProfile } from '../../../src/source/profile.js';
import { credentials, NOW, FAST } from './mock-settings.js';


let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'record-cmd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two regions that list fine; eu-west-1 then denies GetMetricData (found only while streaming). */
function clients(): AwsClientFactory {
  const make = (region: string, deny: boolean): RegionClients => {
    const c = {
      lambda: new LambdaClient({ region, credentials }),
      cloudWatch: new CloudWatchClient({ region, credentials }),
      tagging: new ResourceGroupsTaggingAPIClient({ region, credentials }),
    };
    const lambda = mockClient(c.lambda);
    lambda.on(ListFunctionsCommand).resolves({
      Functions: ['a', 'b'].map((n) => ({
        FunctionName: `${region}-${n}`,
        FunctionArn: `arn:aws:lambda:${region}:123456789012:function:${region}-${n}`,
        Runtime: 'nodejs22.x',
        MemorySize: 512,
        Timeout: 3,
        Architectures: ['arm64'],
      })),
    });
    lambda.on(ListCapacityProvidersCommand).resolves({ CapacityProviders: [] });
    mockClient(c.tagging).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const cw = mockClient(c.cloudWatch);
    cw.on(ListMetricsCommand).resolves({ Metrics: [] });
    if (deny) {
      cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    } else {
      cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [input.StartTime!], Values: [4] })),
      }));
    }
    return c;
  };
  const byRegion: Record<string, RegionClients> = { 'us-east-1': make('us-east-1', false), 'eu-west-1': make('eu-west-1', true) };
  return {
    forRegion: (r) => byRegion[r]!,
    pricing: () => new PricingClient({ region: 'us-east-1', credentials }),
    sts: () => new STSClient({ region: 'us-east-1', credentials }),
  };
}

async function run(args: string[], factory: AwsClientFactory = clients()) {
  let out = '';
  let err = '';
  const context: CliContext = { io: { out: (t) => void (out += t), err: (t) => void (err += t), stderrIsTTY: false }, exitCode: 0 };
  const program = new Command('lmi-advisor').exitOverride();
  attachContext(program, context);
  register(program, { clients: factory, now: () => NOW, limits: FAST });
  await program.parseAsync(['record', ...args], { from: 'user' });
  return { exitCode: context.exitCode, out, err };
}

describe('lmi-advisor record', () => {
  it('writes the snapshot, names a region that failed mid-stream in its header and exits 3', async () => {
    // Prepare
    const path = join(dir, 'partial.ndjson.gz');
    // Act
    const { exitCode, out, err } = await run(['--regions', 'us-east-1,eu-west-1', '--days', '1', '--out', path, '--no-live-prices']);
    // Assess
    expect(exitCode).toBe(3);
    expect(err).toMatch(/region eu-west-1 FAILED: .*AccessDenied/);
    expect(out).toMatch(/INCOMPLETE \(failed: eu-west-1\)/);
    const { header, profiles } = await openSnapshot(path);
    expect(header.warnings).toContainEqual(expect.objectContaining({ code: 'region-failed', region: 'eu-west-1' }));
    const got: FunctionProfile[] = [];
    for await (const p of profiles) got.push(p);
    expect(got.map((p) => p.name)).toEqual(['us-east-1-a', 'us-east-1-b', 'eu-west-1-a', 'eu-west-1-b']);
    expect(got[0]!.series.invocations[0]).toBe(4);
    // the denied region's series are unknown, not zero
    expect(got[2]!.series.invocations.every((v) => v === null)).toBe(true);
    expect(await readdir(dir)).toEqual(['partial.ndjson.gz']); // no temporary file left
  });

  it('rejects bad flags with a message naming the flag', async () => {
    await mkdir(join(dir, 'a-dir.ndjson'));
    await expect(run(['--regions', 'us-east-1', '--days', 'x', '--out', join(dir, 'x.ndjson')])).rejects.toThrow(/--days/);
    await expect(run(['--regions', 'mars', '--out', join(dir, 'x.ndjson')])).rejects.toThrow(/--regions: "mars"/);
    await expect(run(['--regions', 'us-east-1', '--out', join(dir, 'x.csv')])).rejects.toThrow(/--out/);
    await expect(run(['--regions', 'us-east-1', '--tag', 'novalue', '--out', join(dir, 'x.ndjson')])).rejects.toThrow(/--tag: expected key=value/);
    await expect(run(['--regions', 'us-east-1', '--resolution', '45', '--out', join(dir, 'x.ndjson')])).rejects.toThrow(/--resolution: expected auto, 60, 300 or 3600/);
    await expect(run(['--regions', 'us-east-1', '--out', join(dir, 'no-such-dir', 'x.ndjson')])).rejects.toThrow(/--out .*no-such-dir.*: directory .*no-such-dir does not exist/);
    await expect(run(['--regions', 'us-east-1', '--out', join(dir, 'a-dir.ndjson')])).rejects.toThrow(/--out .*a-dir\.ndjson: is a directory/);
  });

  it('refuses a directory at --out before collecting anything, and leaves it alone (issue 8)', async () => {
    // Prepare: a directory holding a file where the snapshot would go; count client use
    const path = join(dir, 'taken.ndjson.gz');
    await mkdir(path);
    await writeFile(join(path, 'mine.txt'), 'mine', 'utf8');
    const real = clients();
    let used = 0;
    const counting: AwsClientFactory = {
      forRegion: (r) => (used++, real.forRegion(r)),
      pricing: () => (used++, real.pricing()),
      sts: () => (used++, real.sts()),
    };
    // Act
    const error = await run(['--regions', 'us-east-1', '--days', '1', '--out', path, '--no-live-prices'], counting).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(/^--out .*taken\.ndjson\.gz: is a directory, not a snapshot file/);
    expect(used).toBe(0);
    expect(await readFile(join(path, 'mine.txt'), 'utf8')).toBe('mine');
  });
});
