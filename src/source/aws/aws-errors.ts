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

/** One line for a warning: the error's name and message, never a stack. */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const text = message && message !== name ? `${name}: ${message}` : name;
  // HTML error pages (an API the endpoint does not implement) are not worth quoting in full.
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
