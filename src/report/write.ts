/** Writes report.json (atomically) into an output folder, and its Markdown and HTML renderings. */
import * as path from 'node:path';
import { makeDirs, writeFileAtomic } from '../io/atomic.js';
import { fsError, UserError } from '../errors.js';
import type { Report } from './schema.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';

/** A new folder under ./reports/ named by the command and the local time. */
export function defaultReportDir(command: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return path.resolve('reports', `${command}-${stamp}`);
}

export async function writeReport(outDir: string, report: Report): Promise<string> {
  try {
    await makeDirs(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError('OUTPUT_UNWRITABLE', `${outDir}: exists and is not a folder (while trying to create the report folder)`, 'choose another --out');
    }
    throw fsError(e, outDir, 'create the report folder');
  }
  const file = path.join(outDir, 'report.json');
  await writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/**
 * Writes report.json, report.md and report.html into `outDir` (each atomically; the folder is
 * created when missing). Returns the three paths. Markdown and HTML are rendered from `report`.
 */
export async function writeAllReports(outDir: string, report: Report): Promise<{ json: string; markdown: string; html: string }> {
  const json = await writeReport(outDir, report);
  const markdown = path.join(outDir, 'report.md');
  const html = path.join(outDir, 'report.html');
  await writeFileAtomic(markdown, renderMarkdown(report));
  await writeFileAtomic(html, renderHtml(report));
  return { json, markdown, html };
}
