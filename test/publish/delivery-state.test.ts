import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishError } from '../../src/errors.js';
import { deliveryStateText, dirDeliveryStore, parseDeliveryState } from '../../src/publish/delivery-state.js';
import { baselineOf } from '../../src/report/changes.js';
import { fn, model } from './report-fixture.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lmi-state-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const report = model([fn('a', 'migrate', 10), fn('b', 'stay', null, 'eu-west-1')]);

describe('delivery state text', () => {
  it('round-trips the baseline of a report', () => {
    const text = deliveryStateText('slack', baselineOf(report));
    expect(parseDeliveryState(text, 'slack', 'here')).toEqual({
      baseline: {
        schema: 'lmi-advisor.report/v1',
        accountId: '123456789012',
        run: { generatedAt: '2026-11-21T03:00:00.000Z', complete: true },
        totals: { savingsUsd: 250 },
        functions: [
          { region: 'us-east-1', name: 'a', recommendation: 'migrate' },
          { region: 'eu-west-1', name: 'b', recommendation: 'stay' },
        ],
      },
    });
  });

  it.each([
    ['not json', 'here: not JSON'],
    ['{"schema":"other"}', 'here: schema is not lmi-advisor.delivery/v1'],
    [deliveryStateText('email', baselineOf(report)), 'here: channel is not slack'],
    ['{"schema":"lmi-advisor.delivery/v1","channel":"slack","report":{"schema":"lmi-advisor.report/v1"}}', 'here: report: accountId: '],
  ])('names what is wrong with %s', (text, message) => {
    const parsed = parseDeliveryState(text, 'slack', 'here');
    expect('problem' in parsed && parsed.problem.message).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*; the slack digest shows the change since the last report instead$`));
  });
});

describe('dirDeliveryStore', () => {
  it('has nothing for a fresh directory, then reads what it wrote', async () => {
    const store = dirDeliveryStore(root);
    expect(await store.read('slack')).toBeNull();
    await store.write('slack', 'one');
    await store.write('slack', 'two');
    expect(await store.read('slack')).toBe('two');
    expect(await readdir(join(root, '.lmi-advisor-state'))).toEqual(['delivered-slack.json']);
  });

  it('never writes through a symlink or over a directory at its path', async () => {
    // Prepare
    const store = dirDeliveryStore(root);
    await mkdir(join(root, '.lmi-advisor-state'));
    const elsewhere = join(root, 'elsewhere.json');
    await writeFile(elsewhere, 'theirs', 'utf8');
    await symlink(elsewhere, store.where('slack'));
    await mkdir(store.where('email'));
    await writeFile(join(store.where('email'), 'x'), 'x', 'utf8');
    // Act + Assess
    await expect(store.write('slack', 'mine')).rejects.toThrow(PublishError);
    await expect(store.read('slack')).rejects.toThrow(/delivered-slack\.json: is a symbolic link, not a file this tool wrote/);
    await expect(store.write('email', 'mine')).rejects.toThrow(/delivered-email\.json: is a directory/);
    expect(await readFile(elsewhere, 'utf8')).toBe('theirs');
    expect(await readlink(store.where('slack'))).toBe(elsewhere);
    expect(await readFile(join(store.where('email'), 'x'), 'utf8')).toBe('x');
    expect((await readdir(join(root, '.lmi-advisor-state'))).sort()).toEqual(['delivered-email.json', 'delivered-slack.json']);
  });

  it('leaves a file at the state directory\'s name alone', async () => {
    await writeFile(join(root, '.lmi-advisor-state'), 'a file', 'utf8');
    const store = dirDeliveryStore(root);
    await expect(store.write('slack', 'mine')).rejects.toThrow(/\.lmi-advisor-state: is a file, not a directory/);
    expect(await readFile(join(root, '.lmi-advisor-state'), 'utf8')).toBe('a file');
  });
});
