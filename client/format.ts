/** Plain-text renderings of incidents for the terminal. */
import type { IncidentState } from '../domain/incident';
import { publicFeedback } from '../domain/feedback';
import type { IncidentListItem } from './muster-client';

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function formatIncident(incident: IncidentState): string {
  const lines = [
    `${incident.id}  ${incident.title}`,
    `  ${incident.status} · ${incident.severity} severity · ${incident.priority} priority · ${incident.type} · ${incident.visibility}`,
    `  Commander ${incident.commander.email} · Reporter ${incident.reporter.email} · Declared ${time(incident.declaredAt)}`,
  ];
  if (incident.description) lines.push('', `  ${incident.description}`);
  if (incident.tags.length) lines.push(`  Tags: ${incident.tags.join(', ')}`);
  lines.push('', 'Participants:');
  for (const p of incident.participants) lines.push(`  ${p.email}  ${p.roles.join(', ')}${p.previousRoles?.length ? `(renounced on closing: ${p.previousRoles.join(', ')})` : ''}`);
  if (Object.keys(incident.resources).length) lines.push('', formatResources(incident));
  if (incident.feedback?.length) {
    lines.push('', 'Feedback:');
    for (const f of publicFeedback(incident.feedback)) lines.push(`  ${f.rating}/5  ${f.person?.email ?? '(anonymous)'}${f.text ? `: ${f.text}` : ''}`);
  }
  lines.push('', 'Timeline:');
  for (const e of incident.timeline) lines.push(`  ${time(e.at)}  ${e.kind === 'note' ? `${e.actor}: ${e.text}` : e.text}`);
  return lines.join('\n');
}

export function formatList(items: IncidentListItem[]): string {
  if (items.length === 0) return 'No incidents match.';
  const rows = items.map((i) => [i.id, i.status, i.priority, i.severity, i.commander, i.title]);
  const header = ['ID', 'STATUS', 'PRIORITY', 'SEVERITY', 'COMMANDER', 'TITLE'];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const line = (cells: string[]) => cells.map((c, col) => (col === cells.length - 1 ? c : c.padEnd(widths[col]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatResources(incident: Pick<IncidentState, 'resources'>): string {
  const entries = Object.entries(incident.resources);
  if (entries.length === 0) return 'Resources: none (no vendor is configured)';
  const width = Math.max(...entries.map(([kind]) => kind.length));
  return ['Resources:', ...entries.map(([kind, r]) => `  ${kind.padEnd(width)}  ${r.status.padEnd(7)}  ${r.url ?? ''}${r.error ? `  (${r.error})` : ''}`)].join('\n');
}
