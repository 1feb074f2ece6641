import { stringify } from 'yaml';
import type { CapacityProviderPlan, ReportModel } from '../report/types.js';

/**
 * Ready-to-apply snippets for each capacity provider of the plan (the `migrate` groups): AWS CLI
 * commands and a CloudFormation block for a serverless.yml `resources:` section. Pure.
 *
 * API shapes: https://docs.aws.amazon.com/lambda/latest/api/API_CreateCapacityProvider.html,
 * API_UpdateFunctionConfiguration.html, API_PublishVersion.html, API_PutFunctionScalingConfig.html;
 * CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-capacityprovider.html
 */

/** Values the tool cannot know; written as obvious placeholders and listed beside the snippet. */
export const PLACEHOLDERS = {
  subnet1: '<subnet-id-1>',
  subnet2: '<subnet-id-2>',
  subnet3: '<subnet-id-3>',
  securityGroup: '<security-group-id>',
  operatorRoleArn: '<capacity-provider-operator-role-arn>',
  accountId: '<account-id>',
} as const;

export const PLACEHOLDER_HELP: { placeholder: string; meaning: string }[] = [
  { placeholder: PLACEHOLDERS.subnet1, meaning: 'Private subnets of the VPC, one per Availability Zone (LMI spreads instances over 3 AZs).' },
  { placeholder: PLACEHOLDERS.subnet2, meaning: 'Second subnet (another AZ).' },
  { placeholder: PLACEHOLDERS.subnet3, meaning: 'Third subnet (another AZ).' },
  { placeholder: PLACEHOLDERS.securityGroup, meaning: 'Security group for the instances (outbound access your functions need).' },
  {
    placeholder: PLACEHOLDERS.operatorRoleArn,
    meaning: 'IAM role Lambda assumes to manage the EC2 instances (managed policy AWSLambdaManagedEC2ResourceOperator); the caller needs lambda:PassCapacityProvider.',
  },
  { placeholder: PLACEHOLDERS.accountId, meaning: 'Your AWS account id (only when the report does not know it).' },
];

export interface FunctionSnippet {
  name: string;
  /** update-function-configuration, publish-version and put-function-scaling-config, in order. */
  commands: string;
}

export interface CapacityProviderSnippet {
  name: string;
  region: string;
  capacityProviderArn: string;
  createCommand: string;
  functions: FunctionSnippet[];
  /** YAML for serverless.yml: `resources: { Resources: { <LogicalId>: AWS::Lambda::CapacityProvider } }`. */
  cloudFormation: string;
  logicalId: string;
  placeholders: string[];
}

/** Single-quotes a shell word unless it only holds characters no POSIX shell treats specially. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\-.:/=,+@]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** CloudFormation logical ids are alphanumeric: `lmi-checkout_x` -> `LmiCheckoutXCapacityProvider`. */
export function logicalIdFor(name: string): string {
  const pascal = name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
  const id = /^[A-Za-z]/.test(pascal) ? pascal : `Cp${pascal}`;
  return `${id}CapacityProvider`;
}

function accountIdOf(model: Pick<ReportModel, 'accountId'>): string {
  return /^\d{12}$/.test(model.accountId) ? model.accountId : PLACEHOLDERS.accountId;
}

/** ARN pattern from API_CapacityProvider: arn:aws:lambda:<region>:<account>:capacity-provider:<name>. */
export function capacityProviderArn(plan: Pick<CapacityProviderPlan, 'region' | 'name'>, accountId: string): string {
  return `arn:aws:lambda:${plan.region}:${accountId}:capacity-provider:${plan.name}`;
}

/** Joins `aws lambda <command>` arguments into one shell command with line continuations. */
function command(name: string, args: [string, string][]): string {
  const lines = [`aws lambda ${name}`, ...args.map(([flag, value]) => `  ${flag} ${value}`)];
  return lines.join(' \\\n');
}

function createCommand(plan: SnippetPlan): string {
  const subnets = [PLACEHOLDERS.subnet1, PLACEHOLDERS.subnet2, PLACEHOLDERS.subnet3].join(',');
  return command('create-capacity-provider', [
    ['--region', shellQuote(plan.region)],
    ['--capacity-provider-name', shellQuote(plan.name)],
    ['--vpc-config', shellQuote(`SubnetIds=${subnets},SecurityGroupIds=${PLACEHOLDERS.securityGroup}`)],
    ['--permissions-config', shellQuote(`CapacityProviderOperatorRoleArn=${PLACEHOLDERS.operatorRoleArn}`)],
    ['--instance-requirements', shellQuote(`Architectures=${plan.architecture},AllowedInstanceTypes=${plan.instanceType}`)],
    ['--capacity-provider-scaling-config', shellQuote(`ScalingMode=Auto,MaxVCpuCount=${plan.maxVCpuCount}`)],
  ]);
}

function functionCommands(plan: SnippetPlan, arn: string): FunctionSnippet[] {
  return plan.functionSettings.map((f) => {
    const fnName = shellQuote(f.name);
    const region = shellQuote(plan.region);
    const lmiConfig =
      `LambdaManagedInstancesCapacityProviderConfig={CapacityProviderArn=${arn},` +
      `PerExecutionEnvironmentMaxConcurrency=${f.perEnvironmentConcurrency},` +
      `ExecutionEnvironmentMemoryGiBPerVCpu=${f.memoryGiBPerVCpu}}`;
    const update = command('update-function-configuration', [
      ['--region', region],
      ['--function-name', fnName],
      ['--memory-size', String(f.memoryMB)],
      // Quoted: bash would brace-expand the {...,...} of the shorthand syntax.
      ['--capacity-provider-config', `'${lmiConfig}'`],
    ]);
    // Only published versions run on LMI; the version number comes back from publish-version.
    const publish = `VERSION=$(${command('publish-version', [
      ['--region', region],
      ['--function-name', fnName],
      ['--query', 'Version'],
      ['--output', 'text'],
    ])})`;
    const scaling = command('put-function-scaling-config', [
      ['--region', region],
      ['--function-name', fnName],
      ['--qualifier', '"$VERSION"'],
      ['--function-scaling-config', `MinExecutionEnvironments=${f.minEnvironments},MaxExecutionEnvironments=${f.maxEnvironments}`],
    ]);
    return { name: f.name, commands: [update, publish, scaling].join('\n') };
  });
}

/** What a plan's snippets are written from: nothing else of the plan is read (a key of the what-if page's render, src/render/html.ts). */
export type SnippetPlan = Pick<CapacityProviderPlan, 'name' | 'region' | 'architecture' | 'instanceType' | 'maxVCpuCount' | 'functionSettings'>;

/** Kept for callers that cleared the memo of earlier versions: the snippets keep nothing now. */
export function clearSnippetMemo(): void {
  plainScalars.clear();
}

/** Strings YAML writes as they are (no quotes) as a scalar: checked with yaml itself, once per string. */
const plainScalars = new Map<string, boolean>();
const PLAIN_CANDIDATE = /^[A-Za-z][A-Za-z0-9._-]*$/;

function isPlainScalar(text: string): boolean {
  let plain = plainScalars.get(text);
  if (plain === undefined) {
    plain = PLAIN_CANDIDATE.test(text) && stringify(text, { lineWidth: 0 }) === `${text}\n`;
    // Bounded: names are few, but a long session must not grow without end.
    if (plainScalars.size >= 10_000) plainScalars.clear();
    plainScalars.set(text, plain);
  }
  return plain;
}

/**
 * The block cloudFormationYaml writes, written directly when every value is one YAML writes bare
 * (a name of letters, digits, `.`, `_`, `-` that is no keyword or number; a whole cap): the
 * what-if page writes every plan's block on each change, and yaml's stringify was most of it. Other
 * values go through yaml (it quotes whatever needs quoting). A test holds the two equal.
 */
function cloudFormation(plan: SnippetPlan, logicalId: string): string {
  const v = plan.maxVCpuCount;
  if (
    !Number.isSafeInteger(v) ||
    Object.is(v, -0) ||
    !isPlainScalar(logicalId) ||
    !isPlainScalar(plan.name) ||
    !isPlainScalar(plan.architecture) ||
    !isPlainScalar(plan.instanceType)
  ) {
    return cloudFormationYaml(plan, logicalId);
  }
  return (
    `resources:\n  Resources:\n    ${logicalId}:\n      Type: AWS::Lambda::CapacityProvider\n      Properties:\n` +
    `        CapacityProviderName: ${plan.name}\n        VpcConfig:\n          SubnetIds:\n` +
    `            - ${PLACEHOLDERS.subnet1}\n            - ${PLACEHOLDERS.subnet2}\n            - ${PLACEHOLDERS.subnet3}\n` +
    `          SecurityGroupIds:\n            - ${PLACEHOLDERS.securityGroup}\n        PermissionsConfig:\n` +
    `          CapacityProviderOperatorRoleArn: ${PLACEHOLDERS.operatorRoleArn}\n        InstanceRequirements:\n` +
    `          Architectures:\n            - ${plan.architecture}\n          AllowedInstanceTypes:\n            - ${plan.instanceType}\n` +
    `        CapacityProviderScalingConfig:\n          ScalingMode: Auto\n          MaxVCpuCount: ${v}\n`
  );
}

/** The CloudFormation block by yaml's stringify (the reference of cloudFormation). */
export function cloudFormationYaml(plan: SnippetPlan, logicalId: string): string {
  const doc = {
    resources: {
      Resources: {
        [logicalId]: {
          Type: 'AWS::Lambda::CapacityProvider',
          Properties: {
            CapacityProviderName: plan.name,
            VpcConfig: {
              SubnetIds: [PLACEHOLDERS.subnet1, PLACEHOLDERS.subnet2, PLACEHOLDERS.subnet3],
              SecurityGroupIds: [PLACEHOLDERS.securityGroup],
            },
            PermissionsConfig: { CapacityProviderOperatorRoleArn: PLACEHOLDERS.operatorRoleArn },
            InstanceRequirements: { Architectures: [plan.architecture], AllowedInstanceTypes: [plan.instanceType] },
            CapacityProviderScalingConfig: { ScalingMode: 'Auto', MaxVCpuCount: plan.maxVCpuCount },
          },
        },
      },
    },
  };
  // yaml quotes whatever needs quoting, so a hostile name cannot break the document.
  return stringify(doc, { lineWidth: 0 });
}

/** The account id the snippets write: the report's when it is one, else the placeholder. */
export function snippetAccountId(model: Pick<ReportModel, 'accountId'>): string {
  return accountIdOf(model);
}

/** The placeholders of every snippet written for this account id. */
export function snippetPlaceholders(accountId: string): string[] {
  return [
    PLACEHOLDERS.subnet1,
    PLACEHOLDERS.subnet2,
    PLACEHOLDERS.subnet3,
    PLACEHOLDERS.securityGroup,
    PLACEHOLDERS.operatorRoleArn,
    ...(accountId === PLACEHOLDERS.accountId ? [PLACEHOLDERS.accountId] : []),
  ];
}

/** One plan's snippets (accountId from snippetAccountId). */
export function capacityProviderSnippet(plan: SnippetPlan, accountId: string): CapacityProviderSnippet {
  const arn = capacityProviderArn(plan, accountId);
  const logicalId = logicalIdFor(plan.name);
  return {
    name: plan.name,
    region: plan.region,
    capacityProviderArn: arn,
    createCommand: createCommand(plan),
    functions: functionCommands(plan, arn),
    cloudFormation: cloudFormation(plan, logicalId),
    logicalId,
    placeholders: snippetPlaceholders(accountId),
  };
}

export function capacityProviderSnippets(model: ReportModel): CapacityProviderSnippet[] {
  const accountId = accountIdOf(model);
  return model.capacityProviders.map((plan) => capacityProviderSnippet(plan, accountId));
}

/**
 * What to do when Lambda refuses the update: per the SAM/CloudFormation docs a function is bound
 * to a capacity provider when it is created (CapacityProviderConfig cannot be added afterwards).
 */
/** The caps in the commands come from the replay of the window: a ceiling, not a target. */
export const CAPS_NOTE =
  'MaxVCpuCount and MaxExecutionEnvironments are the peak of the replayed window (headroom included): ' +
  'traffic above the busiest period seen is throttled at these caps, so raise them where growth or rarer peaks are expected.';

export const REBIND_NOTE =
  'A function is bound to a capacity provider when it is created. If update-function-configuration ' +
  'refuses --capacity-provider-config for an existing function, create a new function (same code, ' +
  'memory and settings) with --capacity-provider-config, publish a version, set its scaling config, ' +
  'then move traffic (aliases, event source mappings, triggers) to it and delete the old one.';
