/**
 * The notifier: one coroutine inside the incident workflow that follows the timeline and
 * announces what matters (declared, status, severity/priority/commander changes, reports) to
 * the configured targets, and welcomes each new participant once. It remembers how far it got
 * (`NotifierProgress`), which continue-as-new carries to the next run.
 */
import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { TargetOutcome } from '../activities/notifications';
import type { IncidentState, Participant } from '../domain/incident';
import { headline, isNotifiable, notifiableEventOf, subjectOf, validateSubscription, type NotifierProgress, type SubscribeRequest } from '../domain/notifications';
import { briefOf } from '../domain/resources';
import { applyNote, IncidentRuleError } from '../domain/rules';

/**
 * Sends are visible side effects: a few attempts over about a minute and a half, then the
 * failure is written to the timeline rather than retried for ever.
 */
const sender = proxyActivities<MusterActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

export interface NotifierControl extends NotifierProgress {
  /** True while a send runs: no hand-over then. */
  busy: boolean;
  /** Whether something waits to be announced or welcomed (set once the coroutine runs). */
  hasWork?: () => boolean;
}

/**
 * Where this run starts: carried over, or from the start for a new incident, or (an incident
 * resumed from the store, or an older run taking the notifier on) from now, since earlier events
 * were announced, if at all, before.
 */
export function startNotifier(incident: IncidentState, carried: NotifierProgress | undefined, isNew: boolean): NotifierControl {
  if (carried) return { seq: carried.seq, welcomed: [...carried.welcomed], busy: false };
  if (isNew) return { seq: 0, welcomed: [], busy: false };
  return { seq: incident.timeline.at(-1)?.seq ?? 0, welcomed: incident.participants.map((p) => p.email), busy: false };
}

export const progressOf = (control: NotifierControl): NotifierProgress => ({ seq: control.seq, welcomed: [...control.welcomed] });

const now = () => new Date().toISOString();

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/** The incident's resources are made and tied together: links can go in the message. */
const settled = (incident: IncidentState) => incident.assembledAt !== undefined;

/** How long the first announcement waits for the channel and documents to exist. */
const ASSEMBLY_WAIT = '2 minutes';

export async function runNotifications(incident: IncidentState, control: NotifierControl): Promise<never> {
  const nextEvent = () => incident.timeline.find((event) => event.seq > control.seq && isNotifiable(event));
  const newcomer = (): Participant | undefined => incident.participants.find((p) => !control.welcomed.includes(p.email));
  control.hasWork = () => nextEvent() !== undefined || newcomer() !== undefined;
  const noteFailures = (about: string, outcomes: TargetOutcome[]) => {
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length === 0) return;
    const text = `Could not ${about}: ${failed.map((o) => `${o.target} (${o.reason ?? 'unknown error'})`).join('; ')}`;
    applyNote(incident, { text: text.slice(0, 4_000), actor: 'muster' }, now());
  };

  // Messages carry the incident's links, so the first ones wait (a while) for assembly.
  if (!settled(incident)) await condition(() => settled(incident), ASSEMBLY_WAIT);

  for (;;) {
    await condition(() => nextEvent() !== undefined || newcomer() !== undefined);
    control.busy = true;
    const event = nextEvent();
    if (event) {
      const about = `announce "${headline(incident, event)}"`;
      try {
        noteFailures(about, await sender.notifyEvent(subjectOf(incident), notifiableEventOf(event), incident.resources));
      } catch (err) {
        log.warn('Notification failed', { incidentId: incident.id, seq: event.seq, error: reason(err) });
        applyNote(incident, { text: `Could not ${about}: ${reason(err)}`.slice(0, 4_000), actor: 'muster' }, now());
      }
      control.seq = Math.max(control.seq, event.seq);
    } else {
      const person = newcomer()!;
      const about = `welcome ${person.email}`;
      try {
        noteFailures(about, await sender.welcomeParticipant(briefOf(incident), { email: person.email, name: person.name, roles: [...person.roles] }, incident.resources));
      } catch (err) {
        applyNote(incident, { text: `Could not ${about}: ${reason(err)}`.slice(0, 4_000), actor: 'muster' }, now());
      }
      // Once per person per incident, whatever happened: a second welcome is worse than none.
      if (!control.welcomed.includes(person.email)) control.welcomed.push(person.email);
    }
    control.busy = false;
  }
}

/** How long a subscription waits for the notifications group to be made. */
const GROUP_WAIT = '2 minutes';

/** Adds someone to the notifications group once it exists; a note records it. Throws IncidentRuleError when it cannot. */
export async function subscribe(incident: IncidentState, request: SubscribeRequest): Promise<void> {
  const { person, actor } = validateSubscription(incident, request);
  const group = () => incident.resources.notificationsGroup;
  const groupSettled = () => (group() !== undefined && group()!.status !== 'pending') || (incident.assembledAt !== undefined && group() === undefined);
  await condition(groupSettled, GROUP_WAIT);
  const ready = group();
  if (ready?.status !== 'ready' || !ready.externalId) {
    const why =
      ready?.status === 'failed' ? `it could not be made (${ready.error ?? 'unknown error'})` : ready ? 'it is still being made; try again shortly' : 'this deployment makes none';
    throw new IncidentRuleError('invalid_transition', `${incident.id} has no notifications group to subscribe to: ${why}`, 'person');
  }
  await sender.subscribeToNotifications(ready.externalId, person.email);
  applyNote(incident, { text: `${actor} subscribed ${person.email} to ${incident.id}'s notifications`, actor }, now());
}
