import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import type { ReportModel } from '../../src/report/types.js';
import fc from 'fast-check';
import type { CapacityProviderPlan } from '../../src/report/types.js';
import {
  PLACEHOLDERS,
  capacityProviderSnippet,
  capacityProviderSnippets,
  cloudFormationYaml,
  logicalIdFor,
  shellQuote,
  snippetAccountId,
} from '../../src/render/snippets.js';
import { AWS_LAMBDA_FLAGS, CFN_CAPACITY_PROVIDER_PROPERTIES } from './aws-cli-flags.js';
import { smallReport } from './fixtures/small-report.js';

/** Splits snippet text into `aws lambda <command>` invocations with their flags. */
function commandsIn(text: string): { command: string; flags: string[] }[] {
  const joined = text.replace(/ \\\n\s*/g, ' ');
  const found: { command: string; flags: string[] }[] = [];
  for (const m of joined.matchAll(/aws lambda ([a-z-]+)([^\n]*?)(?=\)|\n|$)/g)) {
    const command = m[1] ?? '';
    // Flags are words that start with -- outside quotes.
    const unquoted = (m[2] ?? '').replace(/'[^']*'/g, "''").replace(/"[^"]*"/g, '""');
    found.push({ command, flags: [...unquoted.matchAll(/(?:^|\s)(--[a-z0-9-]+)/g)].map((f) => f[1] ?? '') });
  }
  return found;
}

describe('capacityProviderSnippets', () => {
  test('every --flag of every generated command is a real flag of its aws lambda command', () => {
    // Prepare
    const model = smallReport();

    // Act
    const snippets = capacityProviderSnippets(model);
    const all = snippets.flatMap((s) => [s.createCommand, ...s.functions.map((f) => f.commands)]);
    const commands = all.flatMap(commandsIn);

    // Assess
    expect(new Set(commands.map((c) => c.command))).toEqual(
      new Set(['create-capacity-provider', 'update-function-configuration', 'publish-version', 'put-function-scaling-config']),
    );
    for (const c of commands) {
      const known = AWS_LAMBDA_FLAGS[c.command];
      expect(known, c.command).toBeDefined();
      expect(c.flags.length).toBeGreaterThan(0);
      for (const flag of c.flags) expect(known, `${c.command} ${flag}`).toContain(flag);
    }
  });

  test('the flag check fails on a flag the command does not have', () => {
    // Prepare
    const text = 'aws lambda publish-version \\\n  --function-name f \\\n  --memory-size 2048';

    // Act
    const [c] = commandsIn(text);

    // Assess
    expect(c?.flags).toEqual(['--function-name', '--memory-size']);
    expect(AWS_LAMBDA_FLAGS['publish-version']).not.toContain('--memory-size');
  });

  test('commands carry the plan values: name, instance type, architecture, MaxVCpuCount, per-function settings', () => {
    // Prepare
    const model = smallReport();

    // Act
    const snippets = capacityProviderSnippets(model);

    // Assess
    model.capacityProviders.forEach((plan, i) => {
      const s = snippets[i];
      expect(s?.name).toBe(plan.name);
      expect(s?.createCommand).toContain(`--capacity-provider-name ${plan.name}`);
      expect(s?.createCommand).toContain(`Architectures=${plan.architecture},AllowedInstanceTypes=${plan.instanceType}`);
      expect(s?.createCommand).toContain(`MaxVCpuCount=${plan.maxVCpuCount}`);
      expect(s?.createCommand).toContain(`--region ${plan.region}`);
      expect(s?.capacityProviderArn).toBe(`arn:aws:lambda:${plan.region}:${model.accountId}:capacity-provider:${plan.name}`);
      plan.functionSettings.forEach((f, k) => {
        const cmds = s?.functions[k]?.commands ?? '';
        expect(cmds).toContain(`--function-name ${f.name}`);
        expect(cmds).toContain(`--memory-size ${f.memoryMB}`);
        expect(cmds).toContain(`PerExecutionEnvironmentMaxConcurrency=${f.perEnvironmentConcurrency}`);
        expect(cmds).toContain(`ExecutionEnvironmentMemoryGiBPerVCpu=${f.memoryGiBPerVCpu}`);
        expect(cmds).toContain(`MinExecutionEnvironments=${f.minEnvironments},MaxExecutionEnvironments=${f.maxEnvironments}`);
        expect(cmds).toContain(`CapacityProviderArn=${s?.capacityProviderArn}`);
      });
    });
  });

  test('the CloudFormation block parses and carries the plan values', () => {
    // Prepare
    const model = smallReport();

    // Act
    const snippets = capacityProviderSnippets(model);

    // Assess
    model.capacityProviders.forEach((plan, i) => {
      const s = snippets[i];
      const doc = parse(s?.cloudFormation ?? '') as {
        resources: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      };
      const resource = doc.resources.Resources[s?.logicalId ?? ''];
      expect(resource?.Type).toBe('AWS::Lambda::CapacityProvider');
      const props = resource?.Properties ?? {};
      for (const key of Object.keys(props)) expect(CFN_CAPACITY_PROVIDER_PROPERTIES).toContain(key);
      expect(props).toEqual({
        CapacityProviderName: plan.name,
        VpcConfig: {
          SubnetIds: [PLACEHOLDERS.subnet1, PLACEHOLDERS.subnet2, PLACEHOLDERS.subnet3],
          SecurityGroupIds: [PLACEHOLDERS.securityGroup],
        },
        PermissionsConfig: { CapacityProviderOperatorRoleArn: PLACEHOLDERS.operatorRoleArn },
        InstanceRequirements: { Architectures: [plan.architecture], AllowedInstanceTypes: [plan.instanceType] },
        CapacityProviderScalingConfig: { ScalingMode: 'Auto', MaxVCpuCount: plan.maxVCpuCount },
      });
      expect(s?.logicalId).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
    });
  });

  test('a hostile capacity-provider name cannot break the shell command or the YAML', () => {
    // Prepare
    const model: ReportModel = smallReport();
    const plan = model.capacityProviders[0];
    if (!plan) throw new Error('fixture has no plan');
    const hostile = "cp'; rm -rf / #\nType: x";
    model.capacityProviders = [{ ...plan, name: hostile }];

    // Act
    const [s] = capacityProviderSnippets(model);
    const doc = parse(s?.cloudFormation ?? '') as { resources: { Resources: Record<string, { Properties: { CapacityProviderName: string } }> } };

    // Assess
    expect(s?.createCommand).toContain(`--capacity-provider-name ${shellQuote(hostile)}`);
    expect(shellQuote(hostile).startsWith("'")).toBe(true);
    expect(doc.resources.Resources[s?.logicalId ?? '']?.Properties.CapacityProviderName).toBe(hostile);
    expect(Object.keys(doc.resources.Resources)).toHaveLength(1);
  });

  test('an account id the report does not know becomes a listed placeholder', () => {
    // Prepare
    const model = smallReport();
    model.accountId = 'unknown';

    // Act
    const [s] = capacityProviderSnippets(model);

    // Assess
    expect(s?.capacityProviderArn).toContain(`:${PLACEHOLDERS.accountId}:`);
    expect(s?.placeholders).toContain(PLACEHOLDERS.accountId);
  });

  test('shellQuote leaves safe words alone and quotes the rest, including single quotes', () => {
    expect(shellQuote('orders-api')).toBe('orders-api');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(logicalIdFor('lmi-checkout_use1')).toBe('LmiCheckoutUse1CapacityProvider');
    expect(logicalIdFor('1-x')).toBe('Cp1XCapacityProvider');
  });
});

describe('the CloudFormation block written directly', () => {
  test('is what yaml writes, for names and caps yaml writes bare and for those it quotes', () => {
    // Prepare: names of the plan's shape, YAML keywords and numbers, odd characters; whole and odd caps
    const model = smallReport();
    const plan = model.capacityProviders[0] as CapacityProviderPlan;
    const names = fc.oneof(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,30}$/),
      fc.constantFrom('true', 'False', 'null', 'NULL', 'yes', 'No', 'on', 'y', 'NaN', 'Infinity', 'e', 'E1', 'x1e3', 'a.b', 'lmi-a_b.c'),
      fc.string({ maxLength: 12 }),
    );
    const caps = fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constantFrom(-0, 0, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY));

    // Act / Assess
    fc.assert(
      fc.property(names, names, names, caps, (name, architecture, instanceType, maxVCpuCount) => {
        const p = { ...plan, name, architecture: architecture as CapacityProviderPlan['architecture'], instanceType, maxVCpuCount };
        const snippet = capacityProviderSnippet(p, snippetAccountId(model));
        expect(snippet.cloudFormation).toBe(cloudFormationYaml(p, snippet.logicalId));
      }),
      { numRuns: 400 },
    );
  });

  test("takes the fast path for the plans' own names (their block has the cap bare)", () => {
    const model = smallReport();
    for (const s of capacityProviderSnippets(model)) expect(s.cloudFormation).toMatch(/\n {10}MaxVCpuCount: \d+\n$/);
  });
});
