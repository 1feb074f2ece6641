import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BrowserNotFoundError, findChromium } from './browser.js';

describe('findChromium', () => {
  const dirs: string[] = [];
  function dirWith(files: Record<string, number>): string {
    const dir = mkdtempSync(join(tmpdir(), 'lmi-browser-'));
    dirs.push(dir);
    for (const [name, mode] of Object.entries(files)) {
      const path = join(dir, name);
      writeFileSync(path, '#!/bin/sh\n');
      chmodSync(path, mode);
    }
    return dir;
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('CHROMIUM_PATH wins over PATH', () => {
    const onPath = dirWith({ chromium: 0o755 });
    const explicit = join(dirWith({ 'my-chrome': 0o755 }), 'my-chrome');
    expect(findChromium({ CHROMIUM_PATH: explicit, PATH: onPath })).toBe(explicit);
  });

  test('a CHROMIUM_PATH that is missing or not executable is an error, not a skip', () => {
    const notExecutable = join(dirWith({ chromium: 0o644 }), 'chromium');
    expect(() => findChromium({ CHROMIUM_PATH: notExecutable, PATH: '' })).toThrow(BrowserNotFoundError);
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/chromium', PATH: '' })).toThrow(/CHROMIUM_PATH/);
  });

  test('searches PATH in order, skipping non-executable files', () => {
    const first = dirWith({ chromium: 0o644 });
    const second = dirWith({ 'google-chrome': 0o755 });
    expect(findChromium({ PATH: [first, second].join(delimiter) })).toBe(join(second, 'google-chrome'));
  });

  test('prefers chromium over chrome within one directory', () => {
    const dir = dirWith({ 'google-chrome': 0o755, 'chromium-browser': 0o755 });
    expect(findChromium({ PATH: dir })).toBe(join(dir, 'chromium-browser'));
  });

  test('null when there is none', () => {
    expect(findChromium({ PATH: dirWith({}) })).toBeNull();
    expect(findChromium({})).toBeNull();
  });
});
