/**
 * The scheduled digests: what each covers and how it reads. Pure; the activity gathers the
 * incidents and feedback from the store and sends the text.
 */
import type { FeedbackEntry, IncidentRecord } from './incident';
import { averageRating } from './feedback';

export const DIGEST_KINDS = ['active', 'closed', 'feedback'] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** How far back each digest looks from the time it runs. */
export const DIGEST_WINDOW_MS: Record<DigestKind, number> = { active: DAY_MS, closed: 7 * DAY_MS, feedback: DAY_MS };

export interface DigestInput {
  kind: DigestKind;
  /** When the run is for (the schedule's action time); ISO. Keys the dedupe of what it sends. */
  at?: string;
}

export interface DigestResult {
  kind: DigestKind;
  incidents: number;
  /** Where it went: Slack channel names and email addresses. */
  sentTo: string[];
}

type Listed = Pick<IncidentRecord, 'id' | 'title' | 'status' | 'priority' | 'severity' | 'commander' | 'declaredAt' | 'closedAt' | 'resources'>;

const line = (i: Listed) => {
  const channel = i.resources.channel?.status === 'ready' && i.resources.channel.url ? ` · ${i.resources.channel.url}` : '';
  return `• ${i.id}: ${i.title} (${i.status}, ${i.priority} priority, ${i.severity} severity, commander ${i.commander.name ?? i.commander.email})${channel}`;
};

export function activeDigestText(incidents: readonly Listed[], day: string): string {
  if (incidents.length === 0) return `Muster daily digest (${day}): no active incidents.`;
  return [`Muster daily digest (${day}): ${incidents.length} active incident${incidents.length === 1 ? '' : 's'}`, ...incidents.map(line)].join('\n');
}

export function closedDigestText(incidents: readonly Listed[], day: string): string {
  if (incidents.length === 0) return `Muster weekly digest (week to ${day}): no incidents closed.`;
  return [`Muster weekly digest (week to ${day}): ${incidents.length} incident${incidents.length === 1 ? '' : 's'} closed`, ...incidents.map(line)].join('\n');
}

/** One commander's feedback digest: their incidents' feedback of the day; anonymous entries unnamed. */
export function feedbackDigestText(entries: ReadonlyArray<FeedbackEntry & { incidentId: string; incidentTitle: string }>, day: string): string {
  const byIncident = new Map<string, typeof entries[number][]>();
  for (const entry of entries) byIncident.set(entry.incidentId, [...(byIncident.get(entry.incidentId) ?? []), entry]);
  const parts = [`Muster feedback digest (${day}): ${entries.length} new feedback on ${byIncident.size} incident${byIncident.size === 1 ? '' : 's'} you commanded`];
  for (const [incidentId, list] of byIncident) {
    parts.push(`\n${incidentId}: ${list[0]!.incidentTitle} (average ${averageRating(list)}/5)`);
    for (const entry of list) parts.push(`• ${entry.rating}/5 from ${entry.anonymous ? 'someone (anonymous)' : (entry.person.name ?? entry.person.email)}${entry.text ? `: ${entry.text}` : ''}`);
  }
  return parts.join('\n');
}
