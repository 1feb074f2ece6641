import fc from 'fast-check';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { nodeSnapshotFs, replaceSnapshotHeader, type SnapshotFs, writeSnapshot } from '../../src/source/snapshot-writer.js';
import { type LinkTarget, makeGuardDir, materialiseTree, snapshotTree, type TreeNode } from '../helpers/fs-tree.js';

/**
 * Whatever sits at and around a snapshot's destination, and whether the write succeeds, its source
 * fails or one file-system call fails: every path the writer did not create is unchanged, byte for
 * byte and type for type, the destination is replaced only by a complete snapshot, and nothing
 * outside the test's own directory is touched (issue 8).
 */

/** A tree node, or an old complete snapshot. */
type Node = TreeNode<{ t: 'snapshot' }>;

/** Where the destination is: in a directory (maybe reached through a symlink), below a file, or in a missing directory. */
type Place = { t: 'dir' | 'link-to-dir'; at: Node | null; siblings: [string, Node][] } | { t: 'below-file' } | { t: 'missing-dir' };

type Op = 'createNew' | 'write' | 'rename' | 'unlink' | 'lkind' | 'kind' | 'canCreateIn';
type Failure = { op: Op; n: number } | null;

const PID = process.pid;

function siblingNameArb(dest: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      dest,
      `${dest}.tmp-${PID}`,
      `${dest}.tmp-${PID}-00000000`,
      `${dest}.header-${PID}`,
      'snap.ndjson',
      'snap.ndjson.gz',
      'other',
    ),
    fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/).filter((n) => n !== '.' && n !== '..'),
  );
}

const linkArb = fc.constantFrom<LinkTarget>('guard-file', 'guard-dir', 'missing', 'sibling', 'parent', 'self').map((target): Node => ({ t: 'link', target }));
const fileArb = fc.uint8Array({ maxLength: 24 }).map((content): Node => ({ t: 'file', content }));

function nodeArb(dest: string): fc.Arbitrary<Node> {
  return fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: fileArb },
      { weight: 1, arbitrary: fc.constant<Node>({ t: 'snapshot' }) },
      { weight: 1, arbitrary: childrenArb(tie('node'), dest).map((children): Node => ({ t: 'dir', children })) },
      { weight: 2, arbitrary: linkArb },
      { weight: 1, arbitrary: fc.constant<Node>({ t: 'fifo' }) },
    ),
  })).node;
}

function childrenArb(node: fc.Arbitrary<Node>, dest: string): fc.Arbitrary<[string, Node][]> {
  return fc.uniqueArray(fc.tuple(siblingNameArb(dest), node), { selector: ([n]) => n, maxLength: 5 });
}

const caseArb = fc.constantFrom('snap.ndjson', 'snap.ndjson.gz').chain((dest) =>
  fc.record({
    dest: fc.constant(dest),
    place: fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({ t: fc.constantFrom<'dir' | 'link-to-dir'>('dir', 'dir', 'link-to-dir'), at: fc.option(nodeArb(dest), { nil: null }), siblings: childrenArb(nodeArb(dest), dest) })
          // The destination's own entry is `at`; a sibling of the same name would clash.
          .map((p): Place => ({ ...p, siblings: p.siblings.filter(([n]) => n !== dest) })),
      },
      { weight: 1, arbitrary: fc.constant<Place>({ t: 'below-file' }) },
      { weight: 1, arbitrary: fc.constant<Place>({ t: 'missing-dir' }) },
    ),
    mode: fc.constantFrom<'write' | 'replace-header'>('write', 'write', 'replace-header'),
    functions: fc.integer({ min: 0, max: 3 }),
    sourceFailsAt: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 3 }),
    failure: fc.option(
      fc.record({ op: fc.constantFrom<Op>('createNew', 'write', 'rename', 'unlink', 'lkind', 'kind', 'canCreateIn'), n: fc.integer({ min: 1, max: 3 }) }),
      { nil: null, freq: 2 },
    ),
  }),
);

const HEADER: SnapshotHeader = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-20T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T02:00:00Z', periodSeconds: 3600 },
  regions: ['us-east-1'],
  warnings: [],
};
const WARNED: SnapshotHeader = { ...HEADER, warnings: [{ code: 'region-failed', message: 'denied', region: 'eu-west-1' }] };

function profile(name: string): FunctionProfile {
  const series = [10, null];
  return {
    region: 'us-east-1',
    name,
    runtime: 'python3.13',
    architecture: 'arm64',
    memoryMB: 512,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: null,
    reservedConcurrency: null,
    packageType: 'Zip',
    tags: {},
    memoryUsedMBMax: null,
    cpuSecondsPerInvocation: null,
    series: { invocations: series, durationMsSum: [500, null], concurrencyMax: [1, null], errors: [0, null] },
  };
}

async function* source(count: number, failsAt: number | null): AsyncGenerator<FunctionProfile> {
  for (let i = 0; i < count; i++) {
    if (i === failsAt) throw new Error('source failed');
    yield profile(`fn-${i}`);
  }
}

let guard: string;
let guardBefore: Map<string, string>;

beforeAll(async () => {
  // Outside every test directory: symlinks point here, and it must never change.
  guard = await makeGuardDir('lmi-snapguard-', 'snap.ndjson', 'guarded snapshot');
  guardBefore = await snapshotTree(guard);
});
afterAll(async () => {
  await rm(guard, { recursive: true, force: true });
});

/** Every path under `dir` (relative), with its type and content or link target; links not followed. */
const injected = (op: string): Error => Object.assign(new Error(`injected ${op} failure`), { code: 'EIO' });

/** The real file system, except that the `n`-th call of one operation (or the `n`-th chunk written) fails. */
function failing(failure: Failure): SnapshotFs {
  if (failure === null) return nodeSnapshotFs;
  let calls = 0;
  if (failure.op === 'write') {
    return {
      ...nodeSnapshotFs,
      createNew: async (path) => {
        const real = await nodeSnapshotFs.createNew(path);
        const wrapper = new Writable({
          write(chunk, _encoding, done) {
            calls += 1;
            if (calls === failure.n) done(injected('write'));
            else real.write(chunk, done);
          },
          final(done) {
            real.end(done);
          },
          destroy(error, done) {
            real.destroy();
            done(error);
          },
        });
        real.on('error', (error) => wrapper.destroy(error));
        return wrapper;
      },
    };
  }
  const real = nodeSnapshotFs[failure.op] as (...args: string[]) => Promise<unknown>;
  return {
    ...nodeSnapshotFs,
    [failure.op]: async (...args: string[]) => {
      calls += 1;
      if (calls === failure.n) throw injected(failure.op);
      return real(...args);
    },
  };
}

async function read(path: string): Promise<{ header: SnapshotHeader; names: string[] }> {
  const { header, profiles } = await openSnapshot(path);
  const names: string[] = [];
  for await (const p of profiles) names.push(p.name);
  return { header, names };
}

describe('writeSnapshot and replaceSnapshotHeader (property)', () => {
  it('change nothing they did not create, and nothing outside their directory', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ dest, place, mode, functions, sourceFailsAt, failure }) => {
        const root = await mkdtemp(join(tmpdir(), 'lmi-snapprop-'));
        try {
          // Prepare
          let path: string;
          let destRel: string;
          if (place.t === 'below-file') {
            await writeFile(join(root, 'f'), 'a file');
            path = join(root, 'f', dest);
            destRel = `f/${dest}`;
          } else if (place.t === 'missing-dir') {
            path = join(root, 'none', dest);
            destRel = `none/${dest}`;
          } else {
            const children: [string, Node][] = place.at === null ? place.siblings : [...place.siblings, [dest, place.at]];
            const realDir = place.t === 'dir' ? 'd' : 'real';
            await materialiseTree(join(root, realDir), { t: 'dir', children }, { guard, root, sibling: 'other' }, async (at) => {
              await writeSnapshot(at, HEADER, [profile('old')]);
            });
            if (place.t === 'link-to-dir') await symlink(join(root, 'real'), join(root, 'd'));
            path = join(root, 'd', dest);
            destRel = `${realDir}/${dest}`;
          }
          const before = await snapshotTree(root);

          // Act
          let error: unknown;
          try {
            const fs = failing(failure);
            if (mode === 'write') await writeSnapshot(path, HEADER, source(functions, sourceFailsAt), { fs });
            else await replaceSnapshotHeader(path, WARNED, { fs });
          } catch (e) {
            error = e;
          }

          // Assess
          const after = await snapshotTree(root);
          for (const [rel, was] of before) {
            if (rel !== destRel) expect(after.get(rel), `${rel} changed`).toBe(was);
          }
          const tmpPattern = new RegExp(`^${destRel.replace(/[.]/g, '\\.')}\\.tmp-${PID}-[0-9a-f]{8}$`);
          for (const rel of after.keys()) {
            if (before.has(rel) || rel === destRel) continue;
            // Only a temporary file whose removal failed may stay, and the error says so.
            expect(tmpPattern.test(rel), `unexpected new path ${rel}`).toBe(true);
            expect(failure?.op).toBe('unlink');
            expect((error as Error).message).toContain(`the temporary file ${join(root, 'd', rel.slice(rel.indexOf('/') + 1))} could not be removed`);
          }
          const at = place.t === 'dir' || place.t === 'link-to-dir' ? place.at : null;
          const blocked = place.t === 'below-file' || place.t === 'missing-dir' || (at !== null && at.t !== 'file' && at.t !== 'snapshot');
          if (blocked || (mode === 'replace-header' && at === null)) {
            // A failing look-up may pre-empt the refusal, but it still fails.
            const checkFailed = failure !== null && ['lkind', 'kind', 'canCreateIn'].includes(failure.op);
            if (checkFailed) expect(error).toBeDefined();
            else expect(error).toBeInstanceOf(UserInputError);
          }
          if (error !== undefined) {
            expect(after.get(destRel), 'destination changed on failure').toBe(before.get(destRel));
          } else {
            expect(after.get(destRel)?.startsWith('file:')).toBe(true);
            if (mode === 'write') expect(await read(path)).toEqual({ header: HEADER, names: Array.from({ length: functions }, (_, i) => `fn-${i}`) });
            if (mode === 'replace-header' && at?.t === 'snapshot') expect(await read(path)).toEqual({ header: WARNED, names: ['old'] });
          }
          const clean = failure === null && (mode === 'replace-header' ? at?.t === 'snapshot' : sourceFailsAt === null || sourceFailsAt >= functions);
          if (clean && !blocked) expect(error).toBeUndefined();
          expect(await snapshotTree(guard)).toEqual(guardBefore);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  }, 180_000);
});
