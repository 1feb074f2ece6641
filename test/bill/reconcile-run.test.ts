import { describe, expect, it } from 'vitest';
import { createDailyCollector } from '../../src/bill/reconcile-run.js';
import { HOURS_PER_MONTH } from '../../src/model/month.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import { syntheticConfig, syntheticPriceBook, syntheticProfiles, WINDOW } from './synthetic-account.js';

describe('createDailyCollector: LMI predictions', () => {
  it('splits the prediction of a function on LMI into the Lambda-billed parts and the EC2 instances, per day', () => {
    const config = syntheticConfig();
    const book = syntheticPriceBook();
    const collector = createDailyCollector(WINDOW, config, book);
    for (const p of syntheticProfiles()) collector.observe(p);
    expect(collector.lmiPredictions).toHaveLength(1);
    const [prediction] = collector.lmiPredictions;
    const onlmi = syntheticProfiles().find((p) => p.name === 'onlmi')!;
    // The same sizing, run directly: the monthly (730 h) figures scaled to one day.
    const result = summarizeFunction({ ...onlmi, capacityProviderArn: null }, { window: WINDOW, prices: book.regions['us-east-1'], config }).sizing!.result!;
    expect(result.ec2Usd).toBeGreaterThan(0);
    expect(prediction!.instancesUsdPerDay).toBeCloseTo((result.ec2Usd * 24) / HOURS_PER_MONTH, 12);
    expect(prediction!.lambdaBilledUsdPerDay).toBeCloseTo(((result.managementFeeUsd + result.requestsUsd) * 24) / HOURS_PER_MONTH, 12);
  });
});
