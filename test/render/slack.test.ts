import { describe, expect, it } from 'vitest';
import { code, escapeMrkdwn, fitLines, renderSlackDigest, SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, type SlackBlock } from '../../src/render/slack.js';
import { fn, HOSTILE_NAME, model } from '../publish/report-fixture.js';

function allText(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    if (b.type === 'header') return [b.text.text];
    if (b.type === 'actions') return b.elements.map((e) => e.text.text);
    return [];
  });
}

describe('renderSlackDigest', () => {
  it('shows totals, per-month and per-year savings, migrate opportunities best first, and the report button', () => {
    // Prepare
    const m = model([fn('small', 'migrate', 10), fn('mid', 'migrate', 80), fn('big', 'review', 200), fn('costly', 'stay', -50), fn('unknown', 'migrate', null)]);
    // Act
    const msg = renderSlackDigest(m, { reportUrl: 'https://reports.example.com/r.html' });
    // Assess
    const texts = allText(msg.blocks).join('\n');
    expect(msg.blocks[0]).toEqual({ type: 'header', text: expect.objectContaining({ type: 'plain_text', text: 'LMI advisor: account 123456789012, 2026-11-21' }) });
    expect(texts).toContain('*Savings / month*\n$250.00');
    expect(texts).toContain('*Savings / year*\n$3,000.00');
    const top = allText(msg.blocks).find((t) => t.startsWith('*Top opportunities (migrate)*')) ?? '';
    expect(top.indexOf('`mid`')).toBeGreaterThan(0);
    expect(top.indexOf('`mid`')).toBeLessThan(top.indexOf('`small`'));
    expect(top).toContain(':large_green_circle: `mid` (us-east-1): *Migrate*: LMI saves $80.00 / month');
    // A review saving is never ranked as a plain saving.
    expect(top).not.toContain('`big`');
    expect(top).not.toContain('costly');
    expect(top).not.toContain('`unknown`');
    const review = allText(msg.blocks).find((t) => t.startsWith('*Review')) ?? '';
    expect(review).toContain(':large_orange_circle: `big` (us-east-1): *Review*: LMI would save $200.00 / month only if the risks in the report are accepted');
    expect(msg.blocks).toContainEqual(
      expect.objectContaining({ type: 'actions', elements: [expect.objectContaining({ url: 'https://reports.example.com/r.html' })] }),
    );
    expect(texts).toContain('First run');
  });

  it('escapes hostile names: no raw <, >, & and no formatting outside code spans', () => {
    const msg = renderSlackDigest(model([fn(HOSTILE_NAME, 'migrate', 99)]));
    const top = allText(msg.blocks).find((t) => t.startsWith('*Top opportunities (migrate)*')) ?? '';
    expect(top).toContain('`&lt;!channel&gt; *bold* _it_ ~x~ &amp; &lt;https://evil.example|click&gt; &lt;script&gt;alert(1)&lt;/script&gt;`');
    for (const text of allText(msg.blocks)) {
      expect(text).not.toMatch(/<!channel>|<https:|<script>/);
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
  });

  it('shows what changed since the last run and flags an incomplete run', () => {
    const m = model([fn('a', 'migrate', 10)], {
      run: { ...model([]).run, complete: false },
      changes: {
        previousGeneratedAt: '2026-11-20T03:00:00Z',
        newFunctions: ['us-east-1/a'],
        removedFunctions: ['us-east-1/old'],
        changedRecommendations: [{ function: 'us-east-1/b', from: 'stay', to: 'migrate' }],
        savingsDeltaUsd: -12.5,
      },
    });
    const texts = allText(renderSlackDigest(m).blocks).join('\n');
    expect(texts).toContain('Savings -$12.50/month since 2026-11-20');
    expect(texts).toContain('New: `us-east-1/a`');
    expect(texts).toContain('`us-east-1/b`: stay → migrate');
    expect(texts).toContain('Gone: `us-east-1/old`');
    expect(texts).toContain('Incomplete run');
    expect(renderSlackDigest(m).text).toContain('(incomplete run)');
  });

  it('names the regions that were not collected', () => {
    const m = model([fn('a', 'migrate', 10)], {
      run: { ...model([]).run, complete: false },
      warnings: [
        { code: 'region-failed', region: 'eu-west-3', message: 'eu-west-3 was not collected: AccessDenied' },
        { code: 'region-failed', region: 'ap-south-1', message: 'ap-south-1 was not collected: timeout' },
      ],
    });
    const texts = allText(renderSlackDigest(m).blocks).join('\n');
    expect(texts).toContain(':warning: *Incomplete run*: regions not collected: ap-south-1, eu-west-3;');
  });

  it('says the throttling next to a review saving that needs it accepted', () => {
    // The case: a replay that throttles 96.6 % of invocations must not read as a saving.
    const risky = { ...fn('payments-webhook', 'review', 709.9), reviewRisks: ['96.6 % of invocations throttled in the replay (limit 0.1 %)'] };
    const texts = allText(renderSlackDigest(model([risky])).blocks).join('\n');
    expect(texts).toContain(
      '`payments-webhook` (us-east-1): *Review*: LMI would save $709.90 / month only if you accept: 96.6 % of invocations throttled in the replay (limit 0.1 %)',
    );
    expect(texts).not.toMatch(/payments-webhook.*saves \$709\.90/);
  });

  it('keeps within Block Kit limits with thousands of changes', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `us-east-1/function-with-a-rather-long-name-${i}`);
    const m = model([fn('a', 'migrate', 1)], {
      changes: { previousGeneratedAt: '2026-11-20T03:00:00Z', newFunctions: many, removedFunctions: [], changedRecommendations: [], savingsDeltaUsd: 0 },
    });
    const msg = renderSlackDigest(m, { topN: 40 });
    expect(msg.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    for (const text of allText(msg.blocks)) expect(text.length).toBeLessThanOrEqual(SLACK_MAX_TEXT);
    const changes = allText(msg.blocks).find((t) => t.startsWith('*What changed')) ?? '';
    const shown = (changes.match(/New: /g) ?? []).length;
    expect(changes).toContain(`…and ${3000 - shown} more`);
  });
});

describe('helpers', () => {
  it('escapeMrkdwn escapes the three characters Slack decodes', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
  });
  it('code() cannot be closed early by a backtick', () => {
    expect(code('a`b')).toBe('`aˋb`');
  });
  it('fitLines counts what it leaves out', () => {
    const out = fitLines(['aaaa', 'bbbb', 'cccc', 'dddd'], 20);
    expect(out.length).toBeLessThanOrEqual(20);
    const kept = out.split('\n').filter((l) => /^[a-d]{4}$/.test(l)).length;
    expect(out).toContain(`…and ${4 - kept} more`);
  });
});
