import fc from 'fast-check';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { type DirFs, nodeDirFs, writeReportFiles } from '../../src/publish/dir.js';
import { type LinkTarget, makeGuardDir, materialiseTree, snapshotTree, type TreeNode } from '../helpers/fs-tree.js';

/**
 * Whatever was in (or at) the out directory before, and whether the publish succeeds or one
 * file-system call fails: every path the tool does not write is unchanged, byte for byte and
 * type for type, and nothing outside the test's own directory is touched (issue 8).
 */

const REPORTS = ['report.json', 'report.md', 'report.html'] as const;

type Node = TreeNode;

type OutShape =
  | { t: 'absent'; nested: boolean }
  | { t: 'dir'; children: [string, Node][] }
  | { t: 'link-to-dir'; children: [string, Node][] }
  | { t: 'file'; content: Uint8Array }
  | { t: 'dangling-link' };

type Failure = { op: 'writeNewFile' | 'rename' | 'mkdtemp' | 'mkdir' | 'unlink' | 'rmdir'; n: number } | null;

const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...REPORTS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('.previous', '.lmi-advisor-state', `.tmp-${process.pid}-1`, '.lmi-advisor-AbC123', 'notes.txt', 'report.JSON'),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/).filter((n) => n !== '.' && n !== '..') },
);

const { node: nodeArb } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }).map((content): Node => ({ t: 'file', content })) },
    { weight: 2, arbitrary: childrenArb(tie('node')).map((children): Node => ({ t: 'dir', children })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<LinkTarget>('guard-file', 'guard-dir', 'missing', 'sibling', 'parent', 'self')
        .map((target): Node => ({ t: 'link', target })),
    },
    { weight: 1, arbitrary: fc.constant<Node>({ t: 'fifo' }) },
  ),
}));

function childrenArb(node: fc.Arbitrary<Node>): fc.Arbitrary<[string, Node][]> {
  return fc.uniqueArray(fc.tuple(nameArb, node), { selector: ([n]) => n, maxLength: 6 });
}

const outArb: fc.Arbitrary<OutShape> = fc.oneof(
  fc.boolean().map((nested): OutShape => ({ t: 'absent', nested })),
  { arbitrary: childrenArb(nodeArb).map((children): OutShape => ({ t: 'dir', children })), weight: 6 },
  { arbitrary: childrenArb(nodeArb).map((children): OutShape => ({ t: 'link-to-dir', children })), weight: 2 },
  fc.uint8Array({ maxLength: 8 }).map((content): OutShape => ({ t: 'file', content })),
  fc.constant<OutShape>({ t: 'dangling-link' }),
);

const filesArb = fc
  .subarray([...REPORTS], { minLength: 1 })
  .chain((names) => fc.tuple(...names.map((name) => fc.string({ maxLength: 30 }).map((content) => ({ name, content })))));

const failureArb: fc.Arbitrary<Failure> = fc.option(
  fc.record({ op: fc.constantFrom('writeNewFile', 'rename', 'mkdtemp', 'mkdir', 'unlink', 'rmdir'), n: fc.integer({ min: 1, max: 6 }) }),
  { nil: null, freq: 2 },
);

let guard: string;
let guardBefore: Map<string, string>;

beforeAll(async () => {
  // Outside every test directory: symlinks point here, and it must never change.
  guard = await makeGuardDir('lmi-guard-', 'report.json', 'guarded report');
  guardBefore = await snapshotTree(guard);
});
afterAll(async () => {
  await rm(guard, { recursive: true, force: true });
});

/** Every path under `dir` (relative), with its type and content or link target; links not followed. */
function failing(failure: Failure): DirFs {
  if (failure === null) return nodeDirFs;
  let calls = 0;
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls += 1;
      if (calls === failure.n) throw Object.assign(new Error(`injected ${failure.op} failure`), { code: 'EIO' });
      return fn(...args);
    };
  return { ...nodeDirFs, [failure.op]: wrap(nodeDirFs[failure.op] as (...args: unknown[]) => Promise<unknown>) };
}

/** A report name in the out directory holds something other than a regular file. */
function blocked(children: [string, Node][], names: readonly string[]): boolean {
  return children.some(([name, node]) => names.includes(name) && node.t !== 'file');
}

describe('writeReportFiles (property)', () => {
  it('leaves every path it does not write unchanged, and nothing outside its directory', async () => {
    await fc.assert(
      fc.asyncProperty(outArb, filesArb, failureArb, async (shape, files, failure) => {
        const root = await mkdtemp(join(tmpdir(), 'lmi-dirprop-'));
        try {
          // Prepare
          let outPath = join(root, 'out');
          let outRel = 'out';
          if (shape.t === 'absent' && shape.nested) {
            outPath = join(root, 'a', 'b');
            outRel = 'a/b';
          } else if (shape.t === 'dir') {
            await materialiseTree(outPath, { t: 'dir', children: shape.children }, { guard, root, sibling: 'report.json' });
          } else if (shape.t === 'link-to-dir') {
            await materialiseTree(join(root, 'real'), { t: 'dir', children: shape.children }, { guard, root, sibling: 'report.json' });
            await symlink(join(root, 'real'), outPath);
            outRel = 'real';
          } else if (shape.t === 'file') {
            await writeFile(outPath, shape.content);
          } else if (shape.t === 'dangling-link') {
            await symlink(join(root, 'nowhere'), outPath);
          }
          const names = files.map((f) => f.name);
          const before = await snapshotTree(root);

          // Act
          let error: unknown;
          try {
            await writeReportFiles(outPath, files, failing(failure));
          } catch (e) {
            error = e;
          }

          // Assess
          const after = await snapshotTree(root);
          const reportPaths = new Set(names.map((n) => `${outRel}/${n}`));
          for (const [path, was] of before) {
            if (!reportPaths.has(path)) expect(after.get(path), `${path} changed`).toBe(was);
          }
          const createdDirs = shape.t === 'absent' ? (shape.nested ? ['a', 'a/b'] : ['out']) : [];
          for (const [path, now] of after) {
            if (before.has(path) || reportPaths.has(path)) continue;
            if (createdDirs.includes(path)) {
              expect(now).toBe('dir');
              continue;
            }
            // Only a cleanup failure after a successful publish may leave the stage directory.
            const stage = path.startsWith(`${outRel}/.lmi-advisor-`) && error === undefined && (failure?.op === 'unlink' || failure?.op === 'rmdir');
            expect(stage, `unexpected new path ${path}`).toBe(true);
          }
          const children = shape.t === 'dir' || shape.t === 'link-to-dir' ? shape.children : [];
          if (shape.t === 'file' || shape.t === 'dangling-link' || blocked(children, names)) {
            expect(error).toBeInstanceOf(UserInputError);
          }
          if (error === undefined) {
            for (const f of files) expect(after.get(`${outRel}/${f.name}`)).toBe(`file:${Buffer.from(f.content, 'utf8').toString('base64')}`);
          } else {
            // Nothing published: each report name holds what it held before (or still nothing).
            for (const path of reportPaths) expect(after.get(path), path).toBe(before.get(path));
          }
          if (failure === null && error === undefined) expect([...after.keys()].some((p) => p.includes('.lmi-advisor-') && !before.has(p))).toBe(false);
          expect(await snapshotTree(guard)).toEqual(guardBefore);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
