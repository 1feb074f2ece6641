import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instanceRates, lmiMonthlyCost } from '../../../src/model/lmi/cost.js';

describe('lmiMonthlyCost: pricing page example "High-throughput API service"', () => {
  // 100M requests, m7g.xlarge $0.1632/h on demand, ~2,000 instance-hours, 72 % Savings Plan.
  const base = { instanceHours: 2000, onDemandUsdPerHour: 0.1632, requests: 100_000_000, requestUsd: 0.0000002, discount: 0.72, feeShare: 0.15 };

  it('unrounded: requests $20, fee $48.96, EC2 2,000 x 0.1632 x 0.28 = $91.392, total $160.352', () => {
    const cost = lmiMonthlyCost(base);

    expect(cost.requestsUsd).toBeCloseTo(20, 10);
    expect(cost.managementFeeUsd).toBeCloseTo(48.96, 10);
    expect(cost.ec2Usd).toBeCloseTo(91.392, 10);
    expect(cost.totalUsd).toBeCloseTo(160.352, 10);
  });

  it("with the page's rounded discounted rate $0.0457/h it is the page's $160.36", () => {
    // The page rounds 0.1632 x 0.28 = 0.045696 to $0.0457 before multiplying by 2,000 h.
    const cost = lmiMonthlyCost({ ...base, discountedUsdPerHour: 0.0457 });

    expect(cost.ec2Usd).toBeCloseTo(91.4, 10);
    expect(cost.totalUsd).toBeCloseTo(160.36, 10);
  });

  it('a fee per hour from the price book replaces the share', () => {
    const cost = lmiMonthlyCost({ ...base, feeShare: undefined, feeUsdPerHour: 0.03 });

    expect(cost.managementFeeUsd).toBeCloseTo(60, 10);
  });
});

describe('the discount never changes the management fee', () => {
  it('property: lmiMonthlyCost and instanceRates', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (onDemand, hours, d1, d2) => {
          const a = lmiMonthlyCost({ instanceHours: hours, onDemandUsdPerHour: onDemand, requests: 0, requestUsd: 0, discount: d1, feeShare: 0.15 });
          const b = lmiMonthlyCost({ instanceHours: hours, onDemandUsdPerHour: onDemand, requests: 0, requestUsd: 0, discount: d2, feeShare: 0.15 });
          const price = { instanceType: 'm7g.xlarge', family: 'm', architecture: 'arm64' as const, vCpus: 4, memoryGiB: 16, onDemandUsdPerHour: onDemand };
          expect(a.managementFeeUsd).toBe(b.managementFeeUsd);
          expect(instanceRates(price, d1, 0.15).feeUsdPerHour).toBe(instanceRates(price, d2, 0.15).feeUsdPerHour);
          // ...while the EC2 part does follow the discount.
          if (d2 - d1 > 1e-6 && hours > 1e-3) expect(a.ec2Usd).toBeGreaterThan(b.ec2Usd);
        },
      ),
    );
  });
});
