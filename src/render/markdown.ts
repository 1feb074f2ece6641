import type { ReportModel } from '../report/types.js';
import { markdownTemplate } from './templates.js';
import { buildView } from './view-model.js';

/**
 * report.md: GitHub-flavoured Markdown from templates/report.md.hbs. Pure (the template is read
 * once from the package); the same model gives the same bytes.
 */
export function renderMarkdown(model: ReportModel): string {
  const text = markdownTemplate()(buildView(model));
  // Template blocks leave runs of blank lines; one blank line is all Markdown needs.
  return `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
