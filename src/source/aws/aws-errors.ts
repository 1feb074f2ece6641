/** Classifies SDK errors: which ones mean "this region/API is not usable", which are transient. */

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'OptInRequired',
]);

function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.name, e.Code, e.code]) if (typeof v === 'string' && v) return v;
  }
  return 'Error';
}

/** Credentials or permissions stop every further call of this API in this region. */
export function isAccessDenied(error: unknown): boolean {
  if (ACCESS_DENIED.has(errorName(error))) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 403;
}

/** Network failures worth saying in plain words (Node's error codes). */
const NETWORK: Record<string, string> = {
  ENOTFOUND: 'no such endpoint (its DNS name does not resolve): the region may not exist or not offer this service',
  EAI_AGAIN: 'the endpoint\'s DNS name could not be resolved right now (temporary DNS failure)',
  ECONNREFUSED: 'the endpoint refused the connection',
  ECONNRESET: 'the endpoint closed the connection',
  ETIMEDOUT: 'the endpoint did not answer in time',
};

/**
 * One line for a warning or an error: what happened in plain words, never a stack and never the
 * SDK's own hints (its "Deserialization error: to see the raw response, inspect the hidden field
 * {error}.$response" means the answer was not the API's, e.g. an HTML page from an endpoint that
 * does not serve the API, or a region that does not exist).
 */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const e = (error ?? {}) as { code?: unknown; hostname?: unknown; $response?: { statusCode?: unknown }; $metadata?: { httpStatusCode?: unknown } };
  if (typeof e.code === 'string' && NETWORK[e.code] !== undefined) {
    const host = typeof e.hostname === 'string' ? ` (${e.hostname})` : '';
    return `${NETWORK[e.code]}${host}`;
  }
  if (/Deserialization error|inspect the hidden field|\$response/i.test(message)) {
    const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
    const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
    return `the endpoint's answer${http} was not an AWS API response: the region may not exist or not offer this service, or the endpoint is not AWS`;
  }
  const text = message && message !== name ? `${name}: ${message}` : name;
  // HTML error pages (an API the endpoint does not implement) are not worth quoting in full.
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
