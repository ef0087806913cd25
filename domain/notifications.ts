/**
 * Which timeline events are announced, to whom, and with what words. Pure: the workflow picks
 * events with `isNotifiable`, the notification activity matches targets and renders messages.
 */
import { matches, type Filter, type IncidentLike } from './filters';
import type { IncidentState, Person, Resource, TimelineEvent } from './incident';
import { essentialsText, type IncidentBrief } from './resources';
import { IncidentRuleError, validateActor, validatePerson } from './rules';

/** Slack block action ids the Slack app handles (shared contract). */
export const JOIN_ACTION_ID = 'muster_join';
export const SUBSCRIBE_ACTION_ID = 'muster_subscribe';

/** Slack message metadata event type that marks a notification (and carries its dedupe key). */
export const NOTIFICATION_EVENT_TYPE = 'muster_notification';

/** Fields whose change is worth telling people outside the incident about. */
const ANNOUNCED_FIELDS = new Set(['severity', 'priority', 'commander']);

/** Declared, status changes, severity/priority/commander changes and reports reach the targets. */
export function isNotifiable(event: Pick<TimelineEvent, 'kind' | 'field'>): boolean {
  switch (event.kind) {
    case 'declared':
    case 'status':
    case 'report':
      return true;
    case 'changed':
      return ANNOUNCED_FIELDS.has(event.field ?? '');
    case 'role':
      // A commander hand-over is recorded as a role event.
      return event.field === 'commander';
    default:
      return false;
  }
}

/** The event as the notifier passes it to the activity (small: a payload). */
export type NotifiableEvent = Pick<TimelineEvent, 'seq' | 'kind' | 'actor' | 'text' | 'field' | 'from' | 'to'>;

export function notifiableEventOf(event: TimelineEvent): NotifiableEvent {
  const { seq, kind, actor, text, field, from, to } = event;
  return { seq, kind, actor, text, ...(field !== undefined ? { field } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** What a notification needs to know of the incident: the brief plus tags (for filters). */
export type NotificationSubject = IncidentBrief & Pick<IncidentState, 'tags'>;

export function subjectOf(incident: IncidentState): NotificationSubject {
  const { id, title, description, type, severity, priority, status, visibility, reporter, commander, tags } = incident;
  return { id, title, description, type, severity, priority, status, visibility, reporter, commander, tags: [...tags] };
}

export interface NotificationTarget {
  name: string;
  kind: 'slack-channel' | 'email';
  target: string;
  filter?: Filter;
}

/**
 * The targets an incident's notifications go to. Restricted incidents go to none: only their
 * own participants hear of them (in the incident channel).
 */
export function matchingTargets(targets: readonly NotificationTarget[], incident: IncidentLike): NotificationTarget[] {
  if (incident.visibility === 'Restricted') return [];
  return targets.filter((target) => !target.filter || matches(target.filter, incident));
}

/** One notification per (incident, event, target): the key retries use to find an earlier send. */
export function notificationKey(incidentId: string, seq: number, targetName: string): string {
  return `${incidentId}:${seq}:${targetName}`;
}

/** Slack channel names in config may carry a leading #. */
export const slackChannelName = (target: string): string => target.replace(/^#/, '');

/** One line saying what happened, for the message's first line and the mail's subject. */
export function headline(incident: Pick<IncidentBrief, 'id' | 'title'>, event: NotifiableEvent): string {
  const what = (() => {
    switch (event.kind) {
      case 'declared':
        return 'New incident';
      case 'status':
        return event.from === 'Closed' ? `Reopened as ${event.to}` : `Status ${event.from} → ${event.to}`;
      case 'report':
        return 'New report';
      case 'role':
      case 'changed':
        if (event.field === 'commander') return `Commander is now ${event.to}`;
        return `${capitalize(event.field ?? 'field')} ${event.from} → ${event.to}`;
      default:
        return 'Update';
    }
  })();
  return `${what}: ${incident.id} ${incident.title}`;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export interface RenderedNotification {
  /** Mail subject; Slack fallback text's first line. */
  subject: string;
  /** Plain text (Slack mrkdwn-safe, and the text part of mail). */
  text: string;
  html: string;
  /** Slack blocks: the essentials and the Join / Subscribe buttons. */
  blocks: unknown[];
}

/** The notification for one event: the headline, what changed, the incident's essentials and links. */
export function renderNotification(incident: NotificationSubject, resources: Record<string, Resource>, event: NotifiableEvent): RenderedNotification {
  const subject = headline(incident, event);
  const essentials = essentialsText(incident, resources);
  const detail = event.kind === 'declared' ? '' : event.text;
  const text = [subject, detail, '', essentials].filter((line, i) => i !== 1 || line).join('\n');
  const channel = resources.channel?.status === 'ready' ? resources.channel.url : undefined;
  const html = [
    `<h2>${escapeHtml(subject)}</h2>`,
    detail ? `<p>${escapeHtml(detail)}</p>` : '',
    `<pre style="font-family:inherit">${escapeHtml(essentials.replace(/\*/g, ''))}</pre>`,
    channel ? `<p><a href="${escapeHtml(channel)}">Join the incident channel</a></p>` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const blocks = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(subject)}*${detail ? `\n${escapeMrkdwn(detail)}` : ''}` } },
    { type: 'section', text: { type: 'mrkdwn', text: essentials.slice(0, 3000) } },
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: JOIN_ACTION_ID, text: { type: 'plain_text', text: 'Join' }, value: incident.id, style: 'primary' },
        { type: 'button', action_id: SUBSCRIBE_ACTION_ID, text: { type: 'plain_text', text: 'Subscribe' }, value: incident.id },
      ],
    },
  ];
  return { subject, text, html, blocks };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Slack treats &, < and > as control characters in mrkdwn. */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Someone to add to the incident's notifications group. */
export interface SubscribeRequest {
  person: Person;
  actor: string;
}

/** Checks a subscription: a person with an email, and a notifications group that can still come. */
export function validateSubscription(incident: Pick<IncidentState, 'id' | 'resources'>, request: SubscribeRequest): SubscribeRequest {
  if (typeof request !== 'object' || request === null) throw new IncidentRuleError('invalid_field', 'a subscription needs person and actor', 'body');
  const person = validatePerson('person', request.person);
  const actor = validateActor(request.actor);
  const group = incident.resources.notificationsGroup;
  if (group?.status === 'failed') {
    throw new IncidentRuleError('invalid_transition', `${incident.id}'s notifications group could not be made (${group.error ?? 'unknown error'}); retry it first`, 'person');
  }
  return { person, actor };
}

/** Handled timeline events and welcomed people: what a new run of the notifier must not do again. */
export interface NotifierProgress {
  /** Every timeline event up to this seq has been handled. */
  seq: number;
  /** Emails of the participants already welcomed. */
  welcomed: string[];
}
