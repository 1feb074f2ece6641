import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client, CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from './moto.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

it('talks to moto_server over HTTP on 127.0.0.1 with the real SDK', async () => {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'smoke' }));
  const out = await s3.send(new ListBucketsCommand({}));
  expect(out.Buckets?.map((b) => b.Name)).toEqual(['smoke']);
});
