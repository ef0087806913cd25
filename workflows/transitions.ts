/**
 * What a status change sets off beyond the status itself, run as one coroutine inside the
 * incident workflow (beside the resource assembly) so its vendor steps never overlap:
 * - to Stable: the post-incident review document and meeting (state.resources reviewDocument
 *   and reviewMeeting), unless the type is excluded from review;
 * - to Closed: the commander asked to check the details, every participant asked for feedback.
 * Roles are renounced on closing and restored on reopening at once, in the update handler, so
 * the caller sees them. Archiving the channel and resolving the ticket stay with the assembly's
 * resource sync. Started only under patched('transitions').
 */
import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { FeedbackEntry, IncidentState, IncidentStatus, Resource } from '../domain/incident';
import { briefOf } from '../domain/resources';
import { applyResource } from '../domain/rules';
import { applyFeedbackRequested } from '../domain/feedback';
import { reactivateParticipants, renounceAllRoles, REVIEW_RESOURCE_LABELS, stepsFor, type ReviewResourceKind, type TransitionStep } from '../domain/transitions';

/** Retried like the assembly's steps: backoff to 30 s, Retry-After honoured, 12 attempts, then failed. */
const vendor = proxyActivities<MusterActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 12 },
});

const store = proxyActivities<MusterActivities>({ startToCloseTimeout: '15 seconds', retry: { maximumInterval: '1 minute' } });

export interface TransitionControl {
  /** Steps not yet run; carried over by continue-as-new. */
  pending: TransitionStep[];
  /** True while a step's activity runs: no hand-over or completion then. */
  busy: boolean;
}

const now = () => new Date().toISOString();

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/** Called by the update handler right after a status change was applied. */
export function statusChanged(incident: IncidentState, control: TransitionControl, from: IncidentStatus, to: IncidentStatus, actor: string): void {
  if (to === 'Closed') renounceAllRoles(incident, actor, now());
  if (from === 'Closed') reactivateParticipants(incident, actor, now());
  control.pending.push(...stepsFor(from, to));
}

/** The submitFeedback update's write to the store (the incident record has it already). */
export async function storeFeedback(incidentId: string, entry: FeedbackEntry): Promise<void> {
  await store.recordFeedback(incidentId, entry);
}

export async function runTransitions(incident: IncidentState, control: TransitionControl, changed: () => void): Promise<never> {
  const set = (kind: ReviewResourceKind, resource: Resource) => {
    applyResource(incident, kind, resource, REVIEW_RESOURCE_LABELS[kind], now());
    changed();
  };
  const ready = (kind: ReviewResourceKind) => incident.resources[kind]?.status === 'ready';

  const make = async (kind: ReviewResourceKind) => {
    const attempts = (incident.resources[kind]?.attempts ?? 0) + 1;
    set(kind, { status: 'pending', attempts });
    const brief = briefOf(incident);
    try {
      const made =
        kind === 'reviewDocument'
          ? await vendor.createReviewDocument(brief, incident.resources)
          : await vendor.scheduleReviewMeeting(brief, incident.resources, incident.participants.map((p) => p.email), incident.stableAt ?? now());
      set(kind, { ...made, attempts });
    } catch (err) {
      set(kind, { status: 'failed', error: reason(err), attempts });
    }
  };

  const toStable = async () => {
    const planned = await vendor.planReview(briefOf(incident), incident.resources);
    // The document first: the meeting's invitation links it.
    for (const kind of planned) if (!ready(kind)) await make(kind);
  };

  const toClosed = async () => {
    try {
      const { asked } = await vendor.requestClosingInput(briefOf(incident), incident.resources, incident.participants.map((p) => p.email), incident.closedAt ?? now());
      if (asked.length > 0) {
        applyFeedbackRequested(incident, asked, now());
        changed();
      }
    } catch (err) {
      log.warn('Could not ask for feedback on closing', { incidentId: incident.id, error: reason(err) });
    }
  };

  for (;;) {
    await condition(() => control.pending.length > 0);
    control.busy = true;
    try {
      const step = control.pending.shift()!;
      if (step === 'stable') await toStable();
      else await toClosed();
    } catch (err) {
      // Only planning can get here (each step catches its own failures); the status change stands.
      log.warn('A transition step failed', { incidentId: incident.id, error: reason(err) });
    } finally {
      control.busy = false;
    }
  }
}
