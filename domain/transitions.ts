/**
 * What moving to Stable, to Closed and back out of Closed means beyond the status itself:
 * closing renounces every participant's roles (remembering them), a reopen restores them; the
 * post-incident review (document and meeting) and the closing messages are rendered here.
 */
import type { IncidentState, Participant, Resource } from './incident';
import type { IncidentBrief } from './resources';
import { recordEvent } from './rules';

/** Resources made on the way to Stable, beside the assembly's (state.resources keys). */
export const REVIEW_RESOURCE_KINDS = ['reviewDocument', 'reviewMeeting'] as const;
export type ReviewResourceKind = (typeof REVIEW_RESOURCE_KINDS)[number];

export const REVIEW_RESOURCE_LABELS: Record<ReviewResourceKind, string> = {
  reviewDocument: 'Post-incident review document',
  reviewMeeting: 'Post-incident review meeting',
};

/** Side effects a status change asks for, run in order by the transitions coroutine. */
export type TransitionStep = 'stable' | 'closed';

export function stepsFor(from: string, to: string): TransitionStep[] {
  if (to === 'Stable' && from !== 'Stable') return ['stable'];
  if (to === 'Closed') return ['closed'];
  return [];
}

/** Closing ends everyone's duties; each participant keeps the record of what they held. Part of the status change (no version of its own). */
export function renounceAllRoles(state: IncidentState, actor: string, at: string): void {
  const holding = state.participants.filter((p) => p.roles.length > 0);
  if (holding.length === 0) return;
  for (const participant of holding) {
    participant.previousRoles = participant.roles;
    participant.roles = [];
    participant.renouncedAt = at;
  }
  recordEvent(state, { actor, kind: 'role', text: `Closing renounced the roles of ${holding.length} participant${holding.length === 1 ? '' : 's'}: ${holding.map(describe).join(', ')}` }, at, { partOf: true });
}

/** A reopen brings every participant back with the roles they held at closing. Part of the status change. */
export function reactivateParticipants(state: IncidentState, actor: string, at: string): void {
  const renounced = state.participants.filter((p) => p.renouncedAt !== undefined);
  if (renounced.length === 0) return;
  for (const participant of renounced) {
    participant.roles = participant.previousRoles?.length ? participant.previousRoles : ['Participant'];
    delete participant.previousRoles;
    delete participant.renouncedAt;
  }
  recordEvent(state, { actor, kind: 'role', text: `Reopening reactivated ${renounced.length} participant${renounced.length === 1 ? '' : 's'}: ${renounced.map(describe).join(', ')}` }, at, { partOf: true });
}

function describe(p: Participant): string {
  const roles = p.roles.length ? p.roles : (p.previousRoles ?? []);
  return `${p.email} (${roles.join(', ')})`;
}

/** The review meeting: three days after the incident became stable, on the hour, for an hour. */
export function reviewMeetingSlot(stableAt: string): { start: string; end: string } {
  const HOUR = 60 * 60 * 1000;
  const start = Math.ceil((Date.parse(stableAt) + 3 * 24 * HOUR) / HOUR) * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
}

export const reviewDocumentName = (incident: Pick<IncidentBrief, 'id' | 'title'>) => `${incident.id}: ${incident.title} (post-incident review)`;

export function reviewPostedText(incident: Pick<IncidentBrief, 'id'>, documentUrl: string, meeting?: Resource): string {
  return [
    `${incident.id} is Stable. The post-incident review document is ready: ${documentUrl}`,
    meeting?.url ? `The review meeting is scheduled: ${meeting.url}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function reviewMeetingText(incident: Pick<IncidentBrief, 'id'>, meetingUrl: string, startsAt: string): string {
  return `The post-incident review meeting for ${incident.id} is scheduled for ${startsAt}: ${meetingUrl}`;
}

export function checkDetailsText(incident: Pick<IncidentBrief, 'id' | 'title'>, links: { ticket?: string; document?: string }): string {
  const where = [links.ticket && `ticket ${links.ticket}`, links.document && `document ${links.document}`].filter(Boolean).join(' and ');
  return (
    `${incident.id} (${incident.title}) is Closed. As its commander, please check that its details are right: ` +
    `title, description, type, severity and priority${where ? `, and the ${where}` : ''}. ` +
    `Change them with \`muster update ${incident.id}\` (reopen first if needed).`
  );
}

/** The feedback request: a button the Slack app turns into the feedback modal. */
export function feedbackRequestMessage(incident: Pick<IncidentBrief, 'id' | 'title'>): { text: string; blocks: unknown[] } {
  const text = `${incident.id} (${incident.title}) is Closed. How did the response go for you? Rate it from 1 to 5 and tell us what to keep or change.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'muster_feedback', value: incident.id, text: { type: 'plain_text', text: 'Give feedback' }, style: 'primary' }],
      },
    ],
  };
}
