import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { UserInputError } from '../errors.js';
import { liveAwsSource, runPipeline, type PipelineLog } from '../pipeline/run.js';
import { CHANNELS, parseChannels, type PublishTargets } from '../publish/index.js';
import { redact, resolveWebhookUrl } from '../secrets.js';
import { formatUsd } from '../render/slack.js';
import { RENDERERS } from '../render/index.js';
import { planWindow } from '../source/aws/metrics-plan.js';
import { parseFormats } from './analyze-command.js';
import { clockOf, contextOf } from './io.js';
import {
  ACCOUNT_OPTIONS,
  type AccountFlags,
  addOptions,
  COLLECTION_OPTIONS,
  type CollectionFlags,
  collectionReproduceValues,
  helpOption,
  parseCollection,
  rejectAccountTuningAlone,
  reproduceCommand,
  wantsAccounts,
} from './options.js';
import { checkOutDir } from './paths.js';
import { liveBillFetcher } from '../bill/cost-explorer.js';
import { liveCapacityProviderMetricsFetcher } from '../source/aws/capacity-provider-metrics.js';
import { storeBackendFor } from '../store/open.js';
import { cliS3Options } from './record-command.js';
import { runOrgCommand } from '../org/command.js';

interface RunOptions extends CollectionFlags, AccountFlags {
  regions: string;
  publish: string;
  out: string;
  bucket?: string;
  prefix: string;
  reportBaseUrl?: string;
  slackWebhookParameter?: string;
  emailFrom?: string;
  emailTo?: string;
  config?: string;
  format?: string;
  quiet?: boolean;
  reconcile?: boolean;
}

/**
 * `lmi-advisor run`: the nightly pipeline from a laptop (live AWS source, all formats, any
 * channels). Same code path as the Lambda (src/pipeline/run.ts); only the clients, the clock
 * and the secret's origin differ.
 */
export function register(program: Command): void {
  const command = program
    .command('run')
    .description('collect live metrics and prices, analyse, and publish reports and digests (the nightly job, run by hand)');
  addOptions(command, ['regions', ...COLLECTION_OPTIONS, ...ACCOUNT_OPTIONS, 'config', 'format', 'reconcile'], {
    required: { regions: true },
    describe: { format: `comma-separated formats to render and publish (default: every registered one: ${Object.keys(RENDERERS).join(',')})` },
  })
    .addOption(helpOption('--publish <list>', `channels, comma-separated: ${CHANNELS.join(',')}`, { defaultValue: 'dir' }))
    .addOption(helpOption('--out <dir>', 'directory for the dir channel', { defaultValue: 'reports' }))
    .option('--bucket <name>', 'S3 bucket for the s3 channel (required with --publish s3)')
    .addOption(helpOption('--prefix <prefix>', 'S3 key prefix', { defaultValue: 'reports/' }))
    .option('--report-base-url <url>', 'URL that serves the bucket, for the digest link (default: S3 console link)')
    .option('--slack-webhook-parameter <name>', 'SSM SecureString holding the Slack webhook URL (default: env SLACK_WEBHOOK_URL)')
    .option('--email-from <address>', 'verified SES sender for the email channel (required with --publish email)')
    .option('--email-to <list>', 'comma-separated recipients for the email channel (required with --publish email)');
  addOptions(command, ['quiet'])
    .addHelpText(
      'after',
      `
The previous report (S3 latest/report.json, else <out>/report.json) gives the "change since last
run" section. With s3, the dated set reports/<YYYY-MM-DD>/ is written first and latest/ last; an
incomplete run (a region failed) writes its dated set only. One channel failing does not stop
the others.

Exit codes:
  0  everything published
  1  a channel or a renderer failed (the others still ran), or an unexpected failure
  2  bad input: option or config
  3  published, but the run is incomplete (a region failed, a function was left out)

Examples:
  $ lmi-advisor run --regions us-east-1 --publish dir --out reports
  $ SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... lmi-advisor run --regions us-east-1,eu-west-1 --publish dir,slack
  $ lmi-advisor run --regions us-east-1 --publish s3,email --bucket my-reports --email-from finops@example.com --email-to team@example.com`,
    )
    .action(async (opts: RunOptions, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      const channels = parseChannels(opts.publish);
      // The one place this command reads the clock: the pipeline below only gets `now` and `clock`.
      const collection = parseCollection(opts, clockOf(command));
      const { regions, days, now } = collection;
      const formats = parseFormats(opts.format);
      const window = planWindow(now, days, collection.settings.resolution ?? 'auto', collection.clock);
      const config = await loadConfig(opts.config);
      if (channels.includes('dir')) await checkOutDir(opts.out);
      const emailTo = (opts.emailTo ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
      if (channels.includes('s3') && !opts.bucket) throw new UserInputError('--publish s3 needs --bucket');
      if (channels.includes('email') && (!opts.emailFrom || emailTo.length === 0)) throw new UserInputError('--publish email needs --email-from and --email-to');
      if (channels.includes('slack') && !opts.slackWebhookParameter && !process.env['SLACK_WEBHOOK_URL']) {
        throw new UserInputError('--publish slack needs --slack-webhook-parameter or the env var SLACK_WEBHOOK_URL');
      }

      const home = regions[0] as string;
      const common = { region: home, ...(collection.settings.profile ? { profile: collection.settings.profile } : {}) };
      rejectAccountTuningAlone(command, opts);
      if (wantsAccounts(opts)) {
        // Accounts x regions as shards, merged into one organization report (src/org/).
        if (opts.reconcile) throw new UserInputError('--reconcile does not apply with account options (an organization run does not read Cost Explorer)');
        const orgSecrets = process.env['SLACK_WEBHOOK_URL'] ? [process.env['SLACK_WEBHOOK_URL']] : [];
        const org = await runOrgCommand({
          flags: opts,
          regions,
          days,
          now,
          config,
          ...(opts.config !== undefined ? { configPath: opts.config } : {}),
          formats,
          outDir: opts.out,
          writeDir: channels.includes('dir'),
          ...(channels.includes('s3') && opts.bucket ? { s3: { client: new S3Client(common), bucket: opts.bucket, prefix: opts.prefix } } : {}),
          // With --store each shard collects into the store under its own account=<id>/region=<r>/.
          settings: {
            ...collection.settings,
            clock: collection.clock,
            ...(collection.store !== undefined ? { store: storeBackendFor(collection.store, cliS3Options(collection.regions, collection.settings.profile)) } : {}),
          },
          ...(collection.settings.profile ? { base: { profile: collection.settings.profile } } : {}),
          command: (accounts) => reproduceCommand(['run'], collectionReproduceValues(collection, window.periodSeconds, opts.config, { accounts })),
          progress: (line) => {
            if (!opts.quiet) io.err(`${line}\n`);
          },
          ...(channels.includes('slack')
            ? {
                slack: {
                  webhookUrl: async () => {
                    const url = await resolveWebhookUrl({ parameterName: opts.slackWebhookParameter ?? null, env: process.env, ssm: new SSMClient(common) });
                    orgSecrets.push(url);
                    return url;
                  },
                },
              }
            : {}),
          ...(channels.includes('email') && opts.emailFrom ? { email: { client: new SESv2Client(common), from: opts.emailFrom, to: emailTo } } : {}),
          s3Link: { region: home, baseUrl: opts.reportBaseUrl ?? null },
        });
        if (!opts.quiet) io.out(redact(org.summary, orgSecrets));
        context.exitCode = org.exitCode;
        return;
      }
      const secrets: string[] = [];
      if (process.env['SLACK_WEBHOOK_URL']) secrets.push(process.env['SLACK_WEBHOOK_URL']);
      const ssm = new SSMClient(common);
      const targets: PublishTargets = {
        dir: { outDir: opts.out },
        ...(opts.bucket
          ? { s3: { client: new S3Client(common), bucket: opts.bucket, prefix: opts.prefix, region: home, reportBaseUrl: opts.reportBaseUrl ?? null } }
          : {}),
        slack: {
          webhookUrl: async () => {
            const url = await resolveWebhookUrl({ parameterName: opts.slackWebhookParameter ?? null, env: process.env, ssm });
            secrets.push(url);
            return url;
          },
        },
        ...(opts.emailFrom ? { email: { client: new SESv2Client(common), from: opts.emailFrom, to: emailTo } } : {}),
      };
      const say = (level: string) => (message: string, extra?: Record<string, unknown>) => {
        if (opts.quiet && level === 'info') return;
        io.err(redact(`${level}: ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`, secrets));
      };
      const log: PipelineLog = { info: say('info'), warn: say('warn'), error: say('error') };

      const result = await runPipeline({
        regions,
        days,
        now,
        clock: collection.clock,
        config,
        ...(opts.config !== undefined ? { configPath: opts.config } : {}),
        source: liveAwsSource({
          ...collection.settings,
          ...(collection.store !== undefined ? { store: storeBackendFor(collection.store, cliS3Options(collection.regions, collection.settings.profile)), settleMinutes: config.store.settleMinutes } : {}),
        }),
        channels,
        targets,
        formats,
        command: reproduceCommand(['run'], collectionReproduceValues(collection, window.periodSeconds, opts.config, { reconcile: opts.reconcile === true })),
        log,
        ...(opts.reconcile ? { reconcile: { fetchBill: liveBillFetcher(collection.settings.profile ? { profile: collection.settings.profile } : {}), fetchLmiMetrics: liveCapacityProviderMetricsFetcher(collection.settings.profile ? { profile: collection.settings.profile } : {}) } } : {}),
      });
      if (!opts.quiet) {
        const t = result.model.totals;
        const lines = [
          `${result.model.functions.length} functions analysed; savings ${formatUsd(t.savingsUsd)}/month${result.model.run.complete ? '' : ' (INCOMPLETE run: see warnings)'}`,
          ...result.publish.results.map((r) => `  ${r.channel}: ${r.ok ? `ok ${r.detail.join(', ')}` : `FAILED ${r.error}`}`),
          ...(result.publish.reportUrl ? [`report: ${result.publish.reportUrl}`] : []),
          ...(result.model.reconciliation
            ? [`bill: ${result.model.reconciliation.headline}; Cost Explorer: ${result.model.reconciliation.costExplorer.requests} request(s), ${formatUsd(result.model.reconciliation.costExplorer.usd)}`]
            : []),
        ];
        io.out(`${redact(lines.join('\n'), secrets)}\n`);
      }
      context.exitCode = result.exitCode;
    });
}
