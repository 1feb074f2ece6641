import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const [file, width, scheme, prefix, media] = process.argv.slice(2);
const html = readFileSync(file!, 'utf8');
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
const p = await b.newPage({ viewport: { width: Number(width), height: 1000 }, colorScheme: scheme as 'light' | 'dark' });
await p.setContent(html);
if (media === 'print') await p.emulateMedia({ media: 'print' });
const h = await p.evaluate(() => document.documentElement.scrollHeight);
const step = Number(width) < 600 ? 1400 : 1100;
let i = 0;
for (let y = 0; y < h; y += step) {
  await p.screenshot({ path: `${prefix}-${String(i).padStart(2, '0')}.png`, fullPage: true, clip: { x: 0, y, width: Number(width), height: Math.min(step, h - y) } });
  i++;
}
console.log('height', h, 'shots', i);
await b.close();
