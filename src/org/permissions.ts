/**
 * The IAM actions the collector (`record`, the live source of `run` / `analyze --live`) calls:
 * one list for the member role (deploy/member-role.yaml) and the job's own role
 * (serverless.yml); tests keep both equal to it. sts:GetCallerIdentity is not here: it needs
 * no permission (AWS STS docs: "No permissions are required to perform this operation").
 */
export const COLLECTOR_ACTIONS = [
  'lambda:ListFunctions',
  'lambda:ListCapacityProviders',
  'lambda:ListProvisionedConcurrencyConfigs',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'tag:GetResources',
  'pricing:GetProducts',
] as const;

/** What an org job needs beyond the collector: list the organization (only with --org). */
export const ORGANIZATION_LIST_ACTIONS = ['organizations:ListAccounts', 'organizations:ListAccountsForParent'] as const;
