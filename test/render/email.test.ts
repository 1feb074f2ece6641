import { describe, expect, it } from 'vitest';
import { renderEmailDigest } from '../../src/render/email.js';
import { fn, HOSTILE_NAME, model } from '../publish/report-fixture.js';

describe('renderEmailDigest', () => {
  it('gives a subject with the savings, an HTML part with inline CSS only, and a text part', () => {
    // Prepare
    const m = model([fn('orders', 'migrate', 123.456), fn('other', 'stay', -1), fn('risky', 'review', 90)]);
    // Act
    const d = renderEmailDigest(m, { reportUrl: 'https://reports.example.com/2026-11-21/report.html' });
    // Assess
    expect(d.subject).toBe('LMI advisor 2026-11-21: $250.00/month savings across 3 functions (account 123456789012)');
    expect(d.html).not.toMatch(/<style|<link/i);
    expect(d.html).toMatch(/<body style="[^"]+"/);
    expect(d.html).toContain('href="https://reports.example.com/2026-11-21/report.html"');
    expect(d.html).toContain('$123.46');
    expect(d.text).toContain('Top opportunities (migrate):\n  - orders (us-east-1): Migrate: LMI saves $123.46 / month\n');
    // The review saving is listed apart, with its condition, never as a plain saving.
    expect(d.text).toContain(
      'Review: cheaper only under a condition, not in the savings:\n  - risky (us-east-1): Review: LMI would save $90.00 / month only if the risks in the report are accepted',
    );
    expect(d.html).toContain('<strong style="color:#a15c00">Review</strong>');
    expect(d.text).toContain('Savings / year: $3,000.00');
    expect(d.text).toContain('Full report: https://reports.example.com/2026-11-21/report.html');
    expect(d.text).toContain('first run');
  });

  it('HTML-escapes hostile names and refuses non-http links', () => {
    const d = renderEmailDigest(model([fn(HOSTILE_NAME, 'migrate', 5)]), { reportUrl: 'javascript:alert(1)' });
    expect(d.html).not.toContain('<script>');
    expect(d.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(d.html).not.toContain('javascript:');
    expect(d.text).not.toContain('javascript:');
  });

  it('marks an incomplete run and lists the changes', () => {
    const d = renderEmailDigest(
      model([fn('a', 'migrate', 1)], {
        run: { ...model([]).run, complete: false },
        changes: { previousGeneratedAt: '2026-11-20T03:00:00Z', newFunctions: ['us-east-1/a'], removedFunctions: [], changedRecommendations: [], savingsDeltaUsd: 20 },
      }),
    );
    expect(d.subject).toMatch(/\[incomplete\]$/);
    expect(d.html).toContain('Incomplete run');
    expect(d.text).toContain('INCOMPLETE RUN: some data is missing (see the warnings)');
    expect(d.html).toContain('<li>Savings +$20.00/month since 2026-11-20</li>');
    expect(d.text).toContain('  - New: us-east-1/a');
  });
});
