import type { ReportModel } from '../report/types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export interface Renderer {
  /** File name the output is published under. */
  file: string;
  render: (model: ReportModel) => string;
}

/**
 * Every output format, by the name `--format` takes. Insertion order is the default order.
 * md/html are registered here by the report-rendering work (issue 3).
 */
export const RENDERERS: Record<string, Renderer> = {
  json: { file: 'report.json', render: renderJson },
  md: { file: 'report.md', render: renderMarkdown },
  html: { file: 'report.html', render: renderHtml },
};
