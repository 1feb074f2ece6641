import { describe, expect, test } from 'vitest';
import type { ReportModel } from '../../src/report/types.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import Handlebars from 'handlebars';
import { escapeMarkdown, htmlRich, markdownCode, markdownCodeBlock, markdownRich } from '../../src/render/templates.js';
import { BOLD_TAG_VALUE, HOSTILE_NAME, HOSTILE_TAG_VALUE, PIPE_TAG_VALUE, smallReport } from './fixtures/small-report.js';

/** Account strings that try to inject markup, break tables or fences. */
const HOSTILE = [
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '</code></pre><img src=x onerror=alert(2)>',
  '```\n# injected heading',
  '[click](javascript:alert(1))',
  'line1\nline2 | cell',
  '{{7*7}}',
];

function hostileModel(): ReportModel {
  const model = smallReport();
  model.functions = model.functions.map((f, i) => ({
    ...f,
    name: i === 0 ? f.name : `${f.name}${HOSTILE[i % HOSTILE.length]}`,
    runtime: i === 1 ? HOSTILE[0] ?? null : f.runtime,
    tags: { ...f.tags, evil: HOSTILE[(i + 3) % HOSTILE.length] ?? '' },
    reasons: [...f.reasons, HOSTILE[(i + 1) % HOSTILE.length] ?? ''],
    risks: [...f.risks, HOSTILE[(i + 2) % HOSTILE.length] ?? ''],
  }));
  model.warnings = [...model.warnings, { code: '<b>x</b>', message: HOSTILE[3] ?? '', function: HOSTILE[1] }];
  model.run.command = `lmi-advisor analyze --snapshot '${HOSTILE[3]}'`;
  model.changes = {
    previousGeneratedAt: '2026-11-20T03:00:00Z',
    newFunctions: [HOSTILE[0] ?? ''],
    removedFunctions: [HOSTILE[5] ?? ''],
    changedRecommendations: [{ function: HOSTILE[6] ?? '', from: 'stay', to: 'migrate' }],
    savingsDeltaUsd: 12.5,
  };
  return model;
}

describe('HTML escaping', () => {
  test('hostile names and tags show as text: no injected element or attribute survives', () => {
    // Prepare
    const model = hostileModel();

    // Act
    const html = renderHtml(model);

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/<svg onload/i);
    // No real tag (a '<' the page parses) carries an event-handler attribute.
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Handlebars syntax in data is data, not a template.
    expect(html).toContain('{{7*7}}');
    expect(html).toContain('Since the previous run');
    expect(html).not.toContain('>49<');
  });

  test('the fixture tag values are escaped inside the tag list', () => {
    // Act
    const html = renderHtml(smallReport());

    // Assess
    expect(html).toContain(`<code>owner</code> = <code>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</code>`);
    expect(html).toContain(`<code>${PIPE_TAG_VALUE}</code>`);
    expect(html).toContain(`<code>${BOLD_TAG_VALUE}</code>`);
  });

  test('chart titles escape the function name (SVG is built outside Handlebars)', () => {
    // Act
    const html = renderHtml(smallReport());

    // Assess
    expect(html).toContain('aria-label="Concurrency of &lt;img src&#61;x onerror&#61;alert(1)&gt;"');
    expect(html).toContain('<title>Concurrency of &lt;img src&#61;x onerror&#61;alert(1)&gt;</title>');
  });
});

describe('Markdown escaping', () => {
  test('a hostile name shows as text, not as HTML, in headings and tables', () => {
    // Act
    const md = renderMarkdown(smallReport());

    // Assess
    expect(md).toContain(`### 4. ${escapeMarkdown(HOSTILE_NAME)}`);
    expect(md).toContain('\\<img src=x onerror=alert(1)\\>');
    // Outside code spans and fences, no raw '<' starts a tag.
    const prose = md.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
    expect(prose).not.toMatch(/(^|[^\\])<[a-zA-Z/]/);
  });

  test('tag values with pipes and Markdown specials stay inside their cell and are not formatted', () => {
    // Act
    const md = renderMarkdown(smallReport());

    // Assess
    expect(md).toContain(`\`owner\` = \`${HOSTILE_TAG_VALUE}\``);
    expect(md).toContain('`pipe` = `a\\|b`');
    expect(md).toContain(`\`style\` = \`${BOLD_TAG_VALUE}\``);
  });

  test('every table row has exactly as many cells as its header, even with hostile strings', () => {
    // Prepare
    const md = renderMarkdown(hostileModel());
    const lines = md.replace(/```[\s\S]*?```/g, '').split('\n');
    const cells = (line: string): number => line.replace(/\\\|/g, '').replace(/`[^`]*`/g, 'x').split('|').length - 2;

    // Act
    const problems: string[] = [];
    let expected: number | null = null;
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('|')) {
        expected = null;
        continue;
      }
      if (expected === null) {
        // A GFM table needs a blank line before it and a delimiter row after its header.
        if (lines[i - 1] !== '') problems.push(`no blank line before: ${line}`);
        if (!/^\|(\s*:?-+:?\s*\|)+$/.test(lines[i + 1] ?? '')) problems.push(`no delimiter row after: ${line}`);
        expected = cells(line);
      } else if (cells(line) !== expected) problems.push(line);
    }

    // Assess
    expect(problems).toEqual([]);
  });

  test('a fence inside an account string cannot close the code block', () => {
    // Act
    const block = markdownCodeBlock('bash', 'echo ```\n# not a heading');
    const span = markdownCode('a`b');

    // Assess
    expect(block.startsWith('````bash\n')).toBe(true);
    expect(block.endsWith('\n````')).toBe(true);
    expect(span).toBe('``a`b``');
  });

  test('escapeMarkdown backslashes inline specials, flattens newlines, keeps intraword underscores', () => {
    expect(escapeMarkdown('**x** | [y](z) <b> ~s~ &amp; #h')).toBe('\\*\\*x\\*\\* \\| \\[y\\](z) \\<b\\> \\~s\\~ \\&amp; \\#h');
    expect(escapeMarkdown('a\nb\r\nc')).toBe('a b c');
    expect(escapeMarkdown('x86_64 _lead trail_')).toBe('x86_64 \\_lead trail\\_');
  });
});

describe('prose with code spans (reasons, descriptions)', () => {
  test('code spans are kept and everything else escaped, in both formats', () => {
    // Prepare
    const text = 'says `migrate` for <b>x</b> and `<img src=x onerror=alert(1)>` | done';

    // Act
    const html = htmlRich(Handlebars.create(), text).toString();
    const md = markdownRich(text);

    // Assess
    expect(html).toBe(
      'says <code>migrate</code> for &lt;b&gt;x&lt;/b&gt; and <code>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</code> | done',
    );
    expect(md).toBe('says `migrate` for \\<b\\>x\\</b\\> and `<img src=x onerror=alert(1)>` \\| done');
  });
});

