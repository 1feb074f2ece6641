import { describe, expect, it } from 'vitest';
import { describeError, isAccessDenied } from '../../../src/source/aws/aws-errors.js';

/** What users read when an AWS call fails: plain words, never the SDK's own debugging hints. */
describe('describeError', () => {
  it("says what an SDK deserialisation error means instead of quoting its '{error}.$response' hint", () => {
    // The shape the SDK throws when an endpoint answers with something that is not the API's
    // (moto for a region it does not know; an HTML error page).
    const error = Object.assign(
      new Error('Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'),
      { name: 'SyntaxError', $response: { statusCode: 500 }, $metadata: { httpStatusCode: 500 } },
    );
    const text = describeError(error);
    expect(text).toBe("the endpoint's answer (HTTP 500) was not an AWS API response: the region may not exist or not offer this service, or the endpoint is not AWS");
    expect(text).not.toContain('$response');
  });

  it.each([
    ['ENOTFOUND', 'lambda.xx-fake-1.amazonaws.com', 'no such endpoint (its DNS name does not resolve): the region may not exist or not offer this service (lambda.xx-fake-1.amazonaws.com)'],
    ['ECONNREFUSED', undefined, 'the endpoint refused the connection'],
    ['ETIMEDOUT', undefined, 'the endpoint did not answer in time'],
  ])('says a network failure (%s) in plain words', (code, hostname, expected) => {
    const error = Object.assign(new Error(`getaddrinfo ${code} ${hostname ?? ''}`), { code, ...(hostname ? { hostname } : {}) });
    expect(describeError(error)).toBe(expected);
  });

  it('keeps the name and message of an AWS error', () => {
    const error = Object.assign(new Error('User is not authorized to perform lambda:ListFunctions'), { name: 'AccessDeniedException' });
    expect(describeError(error)).toBe('AccessDeniedException: User is not authorized to perform lambda:ListFunctions');
    expect(isAccessDenied(error)).toBe(true);
  });
});
