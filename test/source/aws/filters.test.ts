import { describe, expect, it } from 'vitest';
import { createFunctionFilter, globToRegExp } from '../../../src/source/aws/filters.js';
import { unqualifiedArn } from '../../../src/source/aws/tags.js';

describe('function filters', () => {
  it('matches globs on the whole name, with regex characters taken literally', () => {
    expect(globToRegExp('orders-*').test('orders-api')).toBe(true);
    expect(globToRegExp('orders-*').test('my-orders-api')).toBe(false);
    expect(globToRegExp('fn?').test('fn1')).toBe(true);
    expect(globToRegExp('fn?').test('fn12')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('a+(b)').test('a+(b)')).toBe(true);
  });

  it('keeps a function matching some include, no exclude, all include tags and no exclude tag', () => {
    // Prepare
    const keep = createFunctionFilter({
      include: ['api-*', 'worker-*'],
      exclude: ['*-test'],
      includeTags: { team: 'core' },
      excludeTags: { env: 'dev' },
    });
    // Act / Assess
    expect(keep('api-orders', { team: 'core' })).toBe(true);
    expect(keep('worker-x', { team: 'core', env: 'prod' })).toBe(true);
    expect(keep('cron-x', { team: 'core' })).toBe(false);
    expect(keep('api-test', { team: 'core' })).toBe(false);
    expect(keep('api-orders', { team: 'edge' })).toBe(false);
    expect(keep('api-orders', {})).toBe(false);
    expect(keep('api-orders', { team: 'core', env: 'dev' })).toBe(false);
    expect(createFunctionFilter({})('anything', {})).toBe(true);
  });

  it('drops the qualifier of a function ARN', () => {
    expect(unqualifiedArn('arn:aws:lambda:us-east-1:123456789012:function:f:live')).toBe('arn:aws:lambda:us-east-1:123456789012:function:f');
    expect(unqualifiedArn('arn:aws:lambda:us-east-1:123456789012:function:f')).toBe('arn:aws:lambda:us-east-1:123456789012:function:f');
  });
});
