import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { parseAccountIds, parseExternalId, parseRoleName, planShards, selectActiveAccounts } from '../../src/org/plan.js';

describe('plan', () => {
  it('parses account ids and names the flag of a bad one', () => {
    expect(parseAccountIds(' 111122223333,444455556666,111122223333 ', '--accounts')).toEqual(['111122223333', '444455556666']);
    expect(() => parseAccountIds('11112222333', '--accounts')).toThrow(UserInputError);
    expect(() => parseAccountIds('11112222333', '--accounts')).toThrow('--accounts: "11112222333" is not a 12-digit AWS account id');
    expect(() => parseAccountIds(',', '--exclude-accounts')).toThrow('--exclude-accounts: no account id given');
    expect(() => parseRoleName('bad role')).toThrow('--role-name');
    expect(() => parseExternalId('x')).toThrow('--external-id');
  });

  it('keeps ACTIVE accounts, reading State and the older Status, and names the rest as skipped', () => {
    const { accounts, skipped } = selectActiveAccounts(
      [
        { Id: '333333333333', Name: 'c', State: 'ACTIVE', Status: 'ACTIVE' },
        { Id: '111111111111', Name: 'a', Status: 'ACTIVE' },
        { Id: '222222222222', Name: 'b', State: 'SUSPENDED', Status: 'SUSPENDED' },
        { Id: '444444444444', Name: 'd', State: 'PENDING_CLOSURE' },
        { Id: '555555555555', Name: 'e', State: 'ACTIVE' },
      ],
      ['555555555555'],
    );
    expect(accounts).toEqual([
      { accountId: '111111111111', name: 'a' },
      { accountId: '333333333333', name: 'c' },
    ]);
    expect(skipped).toEqual([
      { accountId: '222222222222', name: 'b', state: 'SUSPENDED' },
      { accountId: '444444444444', name: 'd', state: 'PENDING_CLOSURE' },
    ]);
  });

  it('plans accounts x regions; the current account is read without a role', () => {
    const plan = planShards({
      runId: 'r1',
      accounts: [{ accountId: '111111111111', name: null }, { accountId: '222222222222', name: null }],
      regions: ['us-east-1', 'eu-west-1'],
      currentAccountId: '222222222222',
      roleName: 'reader',
    });
    expect(plan.items).toEqual([
      { accountId: '111111111111', region: 'us-east-1', roleArn: 'arn:aws:iam::111111111111:role/reader' },
      { accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/reader' },
      { accountId: '222222222222', region: 'us-east-1', roleArn: null },
      { accountId: '222222222222', region: 'eu-west-1', roleArn: null },
    ]);
  });
});
