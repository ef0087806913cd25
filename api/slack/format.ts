/** How incidents read in Slack replies: short mrkdwn lines. */
import type { IncidentRecord, IncidentState } from '../../domain/incident';

export function formatIncidentLine(incident: Pick<IncidentRecord, 'id' | 'title' | 'status' | 'severity' | 'priority' | 'commander' | 'resources'>): string {
  const channel = incident.resources.channel?.externalId;
  return `• *${incident.id}* ${incident.title} (${incident.status}, ${incident.priority} priority, ${incident.severity} severity, commander ${incident.commander.email})${channel ? ` <#${channel}>` : ''}`;
}

export function formatParticipants(incident: IncidentState): string {
  const lines = incident.participants.map((p) => `• ${p.name ? `${p.name} (${p.email})` : p.email}: ${p.roles.join(', ')}`);
  return [`*Participants of ${incident.id}*`, ...lines].join('\n');
}

export function formatResources(incident: IncidentState): string {
  const entries = Object.entries(incident.resources);
  if (entries.length === 0) return `*${incident.id}* has no resources (no vendor is configured).`;
  const lines = entries.map(([kind, r]) => `• ${kind}: ${r.status}${r.url ? ` ${r.url}` : ''}${r.error ? ` (${r.error})` : ''}`);
  return [`*Resources of ${incident.id}*`, ...lines].join('\n');
}

export function formatSummary(incident: IncidentState): string {
  const channel = incident.resources.channel?.externalId;
  return [
    `*${incident.id}*: ${incident.title}`,
    `${incident.status} · ${incident.priority} priority · ${incident.severity} severity · ${incident.type} · commander ${incident.commander.email}${channel ? ` · <#${channel}>` : ''}`,
  ].join('\n');
}
