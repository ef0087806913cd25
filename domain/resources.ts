/**
 * The resources an incident gets on declaration, the order they depend on each other, and the
 * text Muster puts on them. Pure: the workflow schedules from this graph, activities render
 * from these helpers.
 */
import type { IncidentRecord, Resource } from './incident';

export const RESOURCE_KINDS = ['ticket', 'tacticalGroup', 'notificationsGroup', 'channel', 'folder', 'conference', 'document'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * What each resource needs before it can be made. Everything else starts at once: the longest
 * chain is groups -> folder -> document, then the finishing touches (links, announcements).
 */
export const RESOURCE_NEEDS: Record<ResourceKind, readonly ResourceKind[]> = {
  ticket: [],
  tacticalGroup: [],
  notificationsGroup: [],
  channel: [],
  folder: ['tacticalGroup', 'notificationsGroup'],
  conference: ['tacticalGroup'],
  document: ['folder'],
};

export const RESOURCE_LABELS: Record<ResourceKind, string> = {
  ticket: 'Ticket',
  tacticalGroup: 'Tactical group',
  notificationsGroup: 'Notifications group',
  channel: 'Slack channel',
  folder: 'Drive folder',
  conference: 'Video conference',
  document: 'Incident document',
};

export function isResourceKind(value: string): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value);
}

/** The incident fields activities need to make and describe resources (kept small: it is a payload). */
export type IncidentBrief = Pick<
  IncidentRecord,
  'id' | 'title' | 'description' | 'type' | 'severity' | 'priority' | 'status' | 'visibility' | 'reporter' | 'commander'
>;

export function briefOf(incident: IncidentRecord): IncidentBrief {
  const { id, title, description, type, severity, priority, status, visibility, reporter, commander } = incident;
  return { id, title, description, type, severity, priority, status, visibility, reporter, commander };
}

/** Slack channel names: lowercase, digits, hyphens; at most 80. Deterministic, so a retry finds it. */
export function channelName(incidentId: string): string {
  return incidentId.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 80);
}

export function groupEmail(incidentId: string, domain: string, kind: 'tactical' | 'notifications'): string {
  const base = incidentId.toLowerCase();
  return `${kind === 'tactical' ? base : `${base}-notifications`}@${domain}`;
}

/** Dispatch's topic format, which responders know: Commander | Status | Type | Severity | Priority. */
export function channelTopic(incident: IncidentBrief): string {
  const commander = incident.commander.name ?? incident.commander.email;
  return `:man-firefighter: ${commander} | :hourglass: ${incident.status} | :fire: ${incident.type} | :warning: ${incident.severity} | :rotating_light: ${incident.priority}`;
}

export function channelPurpose(incident: IncidentBrief): string {
  return `${incident.title} (${incident.id})`.slice(0, 250);
}

export function ticketSummary(incident: IncidentBrief): string {
  return `${incident.id}: ${incident.title}`.slice(0, 255);
}

export function readyLinks(resources: Record<string, Resource>): Array<{ kind: ResourceKind; title: string; url: string }> {
  return RESOURCE_KINDS.flatMap((kind) => {
    const resource = resources[kind];
    return resource?.status === 'ready' && resource.url ? [{ kind, title: RESOURCE_LABELS[kind], url: resource.url }] : [];
  });
}

/** The message that tells the channel what this incident is and where everything lives. */
export function essentialsText(incident: IncidentBrief, resources: Record<string, Resource>): string {
  const links = readyLinks(resources)
    .filter((link) => link.kind !== 'channel')
    .map((link) => `• ${link.title}: ${link.url}`);
  return [
    `*${incident.id}: ${incident.title}*`,
    `${incident.status} · ${incident.priority} priority · ${incident.severity} severity · ${incident.type}`,
    `Commander: ${incident.commander.name ?? incident.commander.email} · Reporter: ${incident.reporter.name ?? incident.reporter.email}`,
    incident.description ? `\n${incident.description}` : '',
    links.length ? `\n${links.join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function welcomeText(incident: IncidentBrief, role: 'Commander' | 'Reporter'): string {
  const what =
    role === 'Commander'
      ? 'You lead the response: keep the status, severity and priority current, assign roles, and post reports.'
      : 'Thanks for reporting. Stay around: the commander may need what you saw.';
  return `Welcome to ${incident.id} (${incident.title}). You are the ${role}. ${what}`;
}
