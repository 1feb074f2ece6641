import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COLLECTOR_ACTIONS } from '../../src/org/permissions.js';

/** deploy/member-role.yaml: the collector's actions exactly, trust only in the job's role. */

const ROOT = join(import.meta.dirname, '..', '..');

describe('member role template', async () => {
  const template = parse(await readFile(join(ROOT, 'deploy', 'member-role.yaml'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
    Parameters: Record<string, unknown>;
  };
  const role = template.Resources['ReaderRole']!;
  const statements = (role.Properties.Policies as { PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown }[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );

  it('grants exactly the actions the collector calls, read-only', () => {
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([...COLLECTOR_ACTIONS].sort());
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    for (const action of statements.flatMap((s) => s.Action)) expect(action).toMatch(/^[a-z]+:(List|Get)[A-Za-z]+$/);
  });

  it("trusts only the job's role, with the external id when one is given", () => {
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { Ref: 'TrustedRoleArn' } },
        Action: 'sts:AssumeRole',
        Condition: { 'Fn::If': ['HasExternalId', { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } }, { Ref: 'AWS::NoValue' }] },
      },
    ]);
    expect(role.Properties.RoleName).toEqual({ Ref: 'RoleName' });
    expect(template.Parameters['RoleName']).toMatchObject({ Default: 'lmi-advisor-reader' });
  });
});
