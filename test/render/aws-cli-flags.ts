/**
 * Flags of the `aws lambda` commands the report's snippets use, checked against AWS's own docs
 * on 2026-11-22 (the `search` tool, corpus docs). The CLI derives each flag from a request member
 * of the API (kebab-case: KMSKeyArn -> --kms-key-arn), so each list is the documented synopsis
 * plus the members added since in the API reference / @aws-sdk/client-lambda 3.1164.0 typings.
 * Global options the snippets use (--region, --query, --output) appear in every synopsis.
 */

const GLOBAL = ['--region', '--query', '--output', '--profile', '--endpoint-url', '--cli-input-json', '--cli-input-yaml', '--generate-cli-skeleton'];

export const AWS_LAMBDA_FLAGS: Record<string, readonly string[]> = {
  // https://docs.aws.amazon.com/cli/v1/reference/lambda/create-capacity-provider.html (synopsis)
  // + PropagateTags from https://docs.aws.amazon.com/lambda/latest/api/API_CreateCapacityProvider.html
  'create-capacity-provider': [
    '--capacity-provider-name',
    '--vpc-config',
    '--permissions-config',
    '--instance-requirements',
    '--capacity-provider-scaling-config',
    '--kms-key-arn',
    '--tags',
    '--propagate-tags',
    ...GLOBAL,
  ],
  // https://docs.aws.amazon.com/cli/latest/reference/lambda/update-function-configuration.html
  // (synopsis up to --ephemeral-storage) + SnapStart, LoggingConfig, CapacityProviderConfig and
  // DurableConfig from https://docs.aws.amazon.com/lambda/latest/dg/API_UpdateFunctionConfiguration.html
  'update-function-configuration': [
    '--function-name',
    '--role',
    '--handler',
    '--description',
    '--timeout',
    '--memory-size',
    '--vpc-config',
    '--environment',
    '--runtime',
    '--dead-letter-config',
    '--kms-key-arn',
    '--tracing-config',
    '--revision-id',
    '--layers',
    '--file-system-configs',
    '--image-config',
    '--ephemeral-storage',
    '--snap-start',
    '--logging-config',
    '--capacity-provider-config',
    '--durable-config',
    ...GLOBAL,
  ],
  // https://docs.aws.amazon.com/cli/v1/reference/lambda/publish-version.html (synopsis)
  // + PublishTo from https://docs.aws.amazon.com/lambda/latest/dg/API_PublishVersion.html
  'publish-version': ['--function-name', '--code-sha256', '--description', '--revision-id', '--publish-to', ...GLOBAL],
  // https://docs.aws.amazon.com/goto/cli2/lambda-2015-03-31/PutFunctionScalingConfig (CLI v2 synopsis)
  'put-function-scaling-config': ['--function-name', '--qualifier', '--function-scaling-config', ...GLOBAL],
};

/** Property names of AWS::Lambda::CapacityProvider (CloudFormation template reference). */
export const CFN_CAPACITY_PROVIDER_PROPERTIES = [
  'CapacityProviderName',
  'CapacityProviderScalingConfig',
  'InstanceRequirements',
  'KmsKeyArn',
  'PermissionsConfig',
  'PropagateTags',
  'Tags',
  'VpcConfig',
] as const;
