/** The sandbox's read-only page: every vendor's state as tables, refreshed every few seconds. */
import type { VendorModule } from './core';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const TITLES: Record<string, string> = { slack: 'Slack', google: 'Google Workspace', jira: 'Jira', pagerduty: 'PagerDuty', smtp: 'Email (SMTP)' };

export function renderPage(modules: VendorModule[]): string {
  const sections = modules
    .map((module) => {
      const tables = module
        .view()
        .map(
          (section) => `
      <section data-section="${escapeHtml(section.heading)}">
        <h3>${escapeHtml(section.heading)} <small>(${section.rows.length})</small></h3>
        ${
          section.rows.length === 0
            ? '<p class="empty">Nothing yet.</p>'
            : `<table><thead><tr>${section.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>
        <tbody>${section.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
        }
      </section>`,
        )
        .join('');
      return `<article data-vendor="${module.vendor}"><h2>${TITLES[module.vendor] ?? module.vendor}</h2>${tables}</article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Muster sandbox</title>
<meta http-equiv="refresh" content="5">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
  h1 { margin-bottom: 0; } .lede { color: #666; margin-top: .25rem; }
  article { margin: 2rem 0; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .25rem; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eee; vertical-align: top; white-space: pre-wrap; }
  th { background: #f6f6f6; } small, .empty { color: #888; }
</style></head>
<body><h1>Muster sandbox</h1>
<p class="lede">What the loopback Slack, Google, Jira and PagerDuty emulators hold. Read-only; refreshes every 5 seconds.</p>
${sections}
</body></html>`;
}
