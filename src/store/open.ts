import { S3Client } from '@aws-sdk/client-s3';
import { localBackend, parseStoreLocation, s3Backend, type StoreBackend } from './backend.js';

/**
 * The backend a `--store` value (or env LMI_STORE) names. S3 uses `client` when given (the
 * Lambda's, tests'), else a client from the default chain; `forcePathStyle` is for custom
 * endpoints (moto, MinIO), which serve buckets as paths.
 */
export function storeBackendFor(
  value: string,
  options: { flag?: string; s3?: S3Client; region?: string; profile?: string; forcePathStyle?: boolean } = {},
): StoreBackend {
  const location = parseStoreLocation(value, options.flag);
  if (location.kind === 'dir') return localBackend(location.path);
  const client =
    options.s3 ??
    new S3Client({
      region: options.region ?? 'us-east-1',
      followRegionRedirects: true,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.forcePathStyle ? { forcePathStyle: true } : {}),
    });
  return s3Backend(client, location.bucket, location.prefix);
}
