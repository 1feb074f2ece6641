import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { publishAll } from '../../src/publish/index.js';
import { normalizePrefix, publishToS3, reportLink } from '../../src/publish/s3.js';
import { fn, model } from './report-fixture.js';

const s3 = mockClient(S3Client);
const target = { client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'reports' };
const files = [
  { name: 'report.json', content: '{}' },
  { name: 'report.md', content: '# r' },
  { name: 'report.html', content: '<html></html>' },
];

beforeEach(() => s3.reset());

const keys = () => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);

describe('publishToS3', () => {
  it('writes the dated set, then latest with report.json last, with content types', async () => {
    s3.on(PutObjectCommand).resolves({});
    const out = await publishToS3(target, { date: '2026-11-21', files, complete: true, generatedAt: '2026-11-21T03:00:00Z' });
    expect(keys()).toEqual([
      'reports/2026-11-21/report.json',
      'reports/2026-11-21/report.md',
      'reports/2026-11-21/report.html',
      'reports/latest/report.md',
      'reports/latest/report.html',
      'reports/latest/report.json',
    ]);
    expect(out.latestKeys).toHaveLength(3);
    const types = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.ContentType);
    expect(types.slice(0, 3)).toEqual(['application/json; charset=utf-8', 'text/markdown; charset=utf-8', 'text/html; charset=utf-8']);
  });

  it('never touches latest when a dated object fails', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'reports/2026-11-21/report.md' }).rejects(
      new S3ServiceException({ name: 'InternalError', message: 'boom', $fault: 'server', $metadata: {} }),
    );
    await expect(publishToS3(target, { date: '2026-11-21', files, complete: true, generatedAt: 'x' })).rejects.toThrow(
      's3: s3://b/reports/2026-11-21/report.md: InternalError: boom',
    );
    expect(keys().filter((k) => k?.includes('latest'))).toEqual([]);
  });
});

describe('links and prefixes', () => {
  it('links through the base URL when configured, else the S3 console', () => {
    expect(reportLink({ bucket: 'b', key: 'reports/2026-11-21/report.html', region: 'eu-west-1', baseUrl: 'https://r.example.com/' })).toBe(
      'https://r.example.com/reports/2026-11-21/report.html',
    );
    expect(reportLink({ bucket: 'b', key: 'reports/2026-11-21/report.html', region: 'eu-west-1' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/s3/object/b?region=eu-west-1&prefix=reports%2F2026-11-21%2Freport.html',
    );
  });
  it('normalises prefixes', () => {
    expect([normalizePrefix('reports'), normalizePrefix('/a/b/'), normalizePrefix('')]).toEqual(['reports/', 'a/b/', '']);
  });
});

describe('publishAll link', () => {
  it('links the digests to the dated report when latest/ fails, and counts the failure', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'reports/latest/report.html' }).rejects(
      new S3ServiceException({ name: 'AccessDenied', message: 'denied', $fault: 'client', $metadata: {} }),
    );
    const out = await publishAll(model([fn('a', 'migrate', 1)]), files, ['s3'], { s3: { ...target, region: 'us-east-1' } });
    expect(out.failures).toBe(1);
    expect(out.results[0]?.error).toBe('s3: s3://b/reports/latest/report.html: AccessDenied: denied');
    expect(out.reportUrl).toBe('https://us-east-1.console.aws.amazon.com/s3/object/b?region=us-east-1&prefix=reports%2F2026-11-21%2Freport.html');
  });
});
