/**
 * One incident, from declaration to the end of its retention after closing. The workflow is
 * the authority on the incident's live state: updates change it (validated first), every
 * accepted change lands in the timeline, the search attributes and memo, and the store.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { IncidentRecord, IncidentState } from '../domain/incident';
import {
  applyChanges,
  applyNote,
  applyResumed,
  applyRoleChange,
  IncidentRuleError,
  newIncident,
  normalizeDeclaration,
  validateChanges,
  validateActor,
  validateNote,
  validateRetry,
  validateRoleChange,
} from '../domain/rules';
import { RESOURCE_LABELS } from '../domain/resources';
import { lastAsked } from './activity-clock';
import { runAssembly, type AssemblyControl } from './assembly';
import { installParticipationHandlers } from './participation';
import { runTransitions, statusChanged, storeFeedback, type TransitionControl } from './transitions';
import { applyFeedback, validateFeedback } from '../domain/feedback';
import { validateEngageOncall } from '../domain/engagement';
import { checkPersonExists, engageOncall, engagementProgressOf, engagementSettings, removeLeavers, runEngagement, startEngagement, type EngagementHooks } from './engagement';
import { registerReminderHandlers, runReminders, type ReminderControl } from './reminders';
import { registerReportHandlers } from './reports';
import { registerTaskHandlers } from './tasks';
import { registerTimelineHandlers } from './timeline';
import { recordOf, StoreWrites, type Recorded } from './store-writes';
import { progressOf, runNotifications, startNotifier, subscribe, type NotifierControl } from './notifications';
import { validateSubscription } from '../domain/notifications';
import {
  addTimelineEventSignal,
  getIncidentQuery,
  changeRoleUpdate,
  engageOncallUpdate,
  retryResourceUpdate,
  subscribeUpdate,
  incidentMemo,
  incidentSearchAttributes,
  updateIncidentUpdate,
  submitFeedbackUpdate,
  type IncidentWorkflowInput,
} from './definitions';

const storeOptions = { startToCloseTimeout: '15 seconds', retry: { maximumInterval: '1 minute' } } as const;
const stored = proxyActivities<ReturnType<typeof createActivities>>(storeOptions);
// The store sits beside the worker: as a local activity a write costs no round trip through the
// server and one event in the history instead of three, which keeps replays of a cache miss short.
const storedLocally = proxyLocalActivities<ReturnType<typeof createActivities>>(storeOptions);
const { loadIncident } = stored;

/** Rule errors become failures the caller can read; anything else is a bug and retries the task. */
function asFailure(err: unknown): unknown {
  if (err instanceof IncidentRuleError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [{ field: err.field }], nonRetryable: true });
  }
  return err;
}

function checked<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    throw asFailure(err);
  }
}

const now = (): string => new Date().toISOString();

/**
 * A settled incident hands over once its resources are made, and then every few reminders: a
 * worker that has evicted the incident from its cache replays the whole run to send the next
 * reminder, so short runs keep that cheap (assembly leaves about 90 history events, a reminder
 * adds about 7). Counted in reminders, not history events: the history length a workflow sees
 * while local activities resolve differs between the first execution and a replay.
 */
const SETTLED_RUN_REMINDERS = 6;
/** How long people must have left a settled incident alone before it hands over. */
const SETTLED_QUIET_MS = 5_000;

/**
 * The patches this code has, as a level a run hands over to the next in its input: a run whose
 * input says so takes every patch without a marker (each marker costs the run two history
 * events and a search-attribute write, and settled incidents start a run every few reminders).
 * The input replays with the run, so its history holds no markers to match. Level 1: every
 * patch below, and engagement's configuration loaded only when a run needs it. A new patch
 * goes under `level >= 2 || patched(...)`, with the level raised to 2.
 */
const PATCH_LEVEL = 1;

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentRecord> {
  const { settings, incidentId } = input;
  const level = input.patchLevel ?? 0;
  // Runs started before settled hand-overs keep growing until Temporal suggests one. Every other
  // patch is older, so a run that has this one skips them: each marker costs the run two events.
  // A reminder's one activity writes the incident through too (no second write, no third activation).
  const writesThrough = level >= 1 || patched('reminder-writes-through');
  // A settled hand-over looks again at what came in with its timer (runs before it handed over regardless).
  const handOverRechecks = level >= 1 || patched('hand-over-rechecks');
  const compact = writesThrough || patched('hand-over-when-settled');
  const since = (patch: string) => compact || patched(patch);
  // Runs started before local store writes and reminders replay with regular activities.
  const local = since('local-activities');
  const recordIncident = local ? storedLocally.recordIncident : stored.recordIncident;
  let state: IncidentState | undefined =
    input.state ??
    (input.declaration
      ? newIncident(incidentId, input.number, checked(() => normalizeDeclaration(input.declaration!, settings)), now())
      : undefined);

  // What the store already has: as the previous run said at hand-over, or (older runs) all of it.
  const recorded: Recorded = {
    version: input.recorded?.version ?? input.state?.version ?? 0,
    seq: input.recorded?.seq ?? input.state?.timeline.at(-1)?.seq ?? 0,
  };

  const loaded = () => state !== undefined;
  // A run that takes over carries the retries it was asked for and syncs resources once, in
  // case a change arrived just before the hand-over (a settled run's resources are in step).
  const assembly: AssemblyControl = { retries: [...(input.retries ?? [])], syncNeeded: input.recorded !== undefined && !input.inSync, busy: false };
  // Set once the state is there, under patched('transitions'): incidents started before it run without.
  let transitions: TransitionControl | undefined;
  const publish = (incident: IncidentState) => {
    upsertSearchAttributes(incidentSearchAttributes(incident));
    upsertMemo(incidentMemo(incident));
  };
  const engagement = startEngagement(input.engagement);
  const engagementHooks: EngagementHooks = {
    rolesChanged: () => {
      publish(state!);
      assembly.syncNeeded = true;
    },
    peopleAdded: () => {
      assembly.syncNeeded = true;
    },
  };

  setHandler(getIncidentQuery, () => {
    if (!state) throw new Error(`${incidentId} is still loading from the store; ask again in a moment`);
    return state;
  });

  setHandler(
    updateIncidentUpdate,
    async ({ changes, actor }) => {
      await condition(loaded);
      const incident = state!;
      const { normalized, diff } = checked(() => validateChanges(incident, changes, settings));
      const from = incident.status;
      applyChanges(incident, normalized, diff, actor, now());
      if (transitions && incident.status !== from) statusChanged(incident, transitions, from, incident.status, actor);
      publish(incident);
      // Every changeable field shows on a resource (topic, ticket, channel state).
      assembly.syncNeeded = true;
      return incident;
    },
    {
      validator: ({ changes, actor }) => {
        checked(() => validateActor(actor));
        // A resumed incident is still loading: the handler validates once it has the state.
        const current = state;
        if (current) checked(() => validateChanges(current, changes, settings));
      },
    },
  );

  setHandler(
    changeRoleUpdate,
    async ({ actor, ...change }) => {
      await condition(loaded);
      const incident = state!;
      const checkedChange = checked(() => validateRoleChange(incident, change));
      // Roles go to people who exist; someone who leaves every role leaves the tactical group.
      const engaging = since('engagement');
      if (engaging && checkedChange.action === 'assign') await checkPersonExists(checkedChange.person.email);
      const before = incident.participants.map((p) => p.email);
      applyRoleChange(incident, checked(() => validateRoleChange(incident, change)), actor, now());
      if (engaging) await removeLeavers(incident, before);
      publish(incident);
      // New people are invited to the channel and the tactical group; a new commander shows in the topic.
      assembly.syncNeeded = true;
      return incident;
    },
    {
      validator: ({ actor, ...change }) => {
        checked(() => validateActor(actor));
        const current = state;
        if (current) checked(() => validateRoleChange(current, change));
      },
    },
  );

  setHandler(
    engageOncallUpdate,
    async (request) => {
      await condition(loaded);
      const settings = await engagementSettings(engagement);
      const incident = state!;
      const { service, role, page } = checked(() => validateEngageOncall(incident, settings.services, request));
      return engageOncall(incident, settings, { service, role, page, actor: request.actor }, engagementHooks);
    },
    {
      validator: (request) => {
        checked(() => validateActor(request?.actor));
        const current = state;
        if (current && engagement.settings) checked(() => validateEngageOncall(current, engagement.settings!.services, request));
      },
    },
  );

  setHandler(
    retryResourceUpdate,
    async ({ resource, actor }) => {
      await condition(loaded);
      const incident = state!;
      const kind = checked(() => validateRetry(incident, resource));
      applyNote(incident, { text: `${actor} asked Muster to retry the ${RESOURCE_LABELS[kind]}`, actor }, now());
      assembly.retries.push(kind);
      return incident;
    },
    {
      validator: ({ resource, actor }) => {
        checked(() => validateActor(actor));
        const current = state;
        if (current) checked(() => validateRetry(current, resource));
      },
    },
  );

  setHandler(
    submitFeedbackUpdate,
    async (request) => {
      await condition(loaded);
      const incident = state!;
      const entry = applyFeedback(incident, checked(() => validateFeedback(request)), now());
      await storeFeedback(incident.id, entry);
      return incident;
    },
    { validator: (request) => void checked(() => validateFeedback(request)) },
  );

  setHandler(
    subscribeUpdate,
    async (request) => {
      await condition(loaded);
      const incident = state!;
      try {
        await subscribe(incident, request);
      } catch (err) {
        throw asFailure(err);
      }
      return incident;
    },
    {
      validator: (request) => {
        const current = state;
        if (current) checked(() => validateSubscription(current, request));
        else checked(() => validateActor(request?.actor));
      },
    },
  );

  setHandler(addTimelineEventSignal, async (note) => {
    await condition(loaded);
    try {
      applyNote(state!, validateNote(note), now());
    } catch (err) {
      // A signal cannot be refused; clients validate first, so this is a buggy sender.
      log.warn('Dropped an invalid timeline event', { incidentId, error: String(err) });
    }
  });

  registerReminderHandlers(() => state, settings);
  registerTaskHandlers(() => state);
  registerTimelineHandlers(() => state);
  registerReportHandlers(() => state);
  installParticipationHandlers({
    state: () => state,
    changed: (incident) => {
      publish(incident);
      assembly.syncNeeded = true;
    },
    left: async (incident, before) => {
      if (since('engagement')) await removeLeavers(incident, before);
    },
    now,
  });

  if (!state) {
    const stored = await loadIncident(incidentId);
    if (!stored) throw ApplicationFailure.nonRetryable(`${incidentId} has no stored record to resume from`, 'not_found');
    recorded.version = stored.version;
    recorded.seq = stored.timeline.at(-1)?.seq ?? 0;
    applyResumed(stored, now());
    state = stored;
  }
  const incident = state;
  const writes = new StoreWrites(incident, recorded);
  const assembledBefore = incident.assembledAt !== undefined;
  // A run that took over under this patch: its search attributes and memo came over with it, and
  // the resources that were ready had been announced.
  const tookOver = compact && input.state !== undefined;
  if (!tookOver) publish(incident);
  // Incidents declared before resources existed replay without them.
  if (since('resource-assembly')) void runAssembly(incident, assembly, () => upsertMemo(incidentMemo(incident)), tookOver);
  // Rules, role policy and paging came later: older incidents replay without them.
  if (since('engagement')) {
    const declared = input.declaration && !input.state;
    // Clients older than the field: a commander other than the reporter was named.
    const commanderNamed = input.commanderNamed ?? input.declaration?.commander?.email !== input.declaration?.reporter.email;
    void runEngagement(incident, engagement, declared ? { commanderNamed } : undefined, engagementHooks, since, level >= 1);
  }
  // Incidents that ran before notifications existed replay without them.
  let notifier: NotifierControl | undefined;
  if (since('notifications')) {
    notifier = startNotifier(incident, input.notifications, input.declaration !== undefined && input.state === undefined);
    void runNotifications(incident, notifier);
  }
  // The review on Stable and the closing messages came later still.
  if (since('transitions')) {
    transitions = { pending: [...(input.transitions ?? [])], busy: false };
    void runTransitions(incident, transitions, () => upsertMemo(incidentMemo(incident)));
  }
  // Report, close and task reminders as durable timers came last.
  const reminders: ReminderControl = { busy: false, sent: 0 };
  if (since('reminders')) void runReminders(incident, settings, reminders, local, writesThrough ? writes : undefined);

  const dirty = () => writes.dirty();
  const flush = async () => {
    const write = writes.take();
    await recordIncident(write.incident, write.timeline);
    writes.done(write);
  };
  const retentionEnds = () => (incident.closedAt ? Date.parse(incident.closedAt) + settings.closedRetentionMs : Infinity);
  // A closing's messages go out before the run may finish.
  const transitionsIdle = () => !transitions || (!transitions.busy && transitions.pending.length === 0);
  // Hand over or finish only between resource steps, never in the middle of one (nor of a reminder).
  const between = () => !assembly.busy && !engagement.busy && !notifier?.busy && !transitions?.busy && !reminders.busy;
  const retentionOver = () => incident.status === 'Closed' && Date.now() >= retentionEnds() && between() && transitionsIdle();
  const handOver = () => workflowInfo().continueAsNewSuggested && between();
  // Nothing left to do but wait for a reminder, a change or the end of retention.
  const settled = () =>
    compact &&
    ((!assembledBefore && incident.assembledAt !== undefined) || reminders.sent >= SETTLED_RUN_REMINDERS) &&
    between() &&
    !notifier?.hasWork?.() &&
    !engagement.hasWork?.() &&
    !reminders.hasWork?.() &&
    transitionsIdle() &&
    assembly.retries.length === 0 &&
    !assembly.syncNeeded &&
    !retentionOver();
  const carried = () => ({
    patchLevel: PATCH_LEVEL,
    incidentId,
    number: incident.number,
    settings,
    state: incident,
    ...(notifier ? { notifications: progressOf(notifier) } : {}),
    transitions: transitions?.pending,
    engagement: engagementProgressOf(engagement),
  });

  for (;;) {
    const wake = () => dirty() || handOver() || retentionOver() || settled();
    const untilRetentionEnds = incident.status === 'Closed' ? retentionEnds() - Date.now() : 0;
    if (untilRetentionEnds > 0) await condition(wake, untilRetentionEnds);
    else await condition(wake);

    // Under a steady stream of changes there is always something to write, so hand over
    // first when Temporal asks; the next run is told what the store still lacks.
    if (handOver() && since('hand-over-before-flush')) {
      await condition(allHandlersFinished);
      // A handler may have just given the resource coroutine work; hand over between steps only.
      if (!handOver()) continue;
      await continueAsNew<typeof incidentWorkflow>({ ...carried(), recorded: writes.recorded(), retries: assembly.retries });
    }
    // Settled and written through: hand over, once people have left the incident alone for a
    // moment, in a workflow task of its own. Were the ending refused (a signal came in meanwhile)
    // in a task that wrote to the store, the task would be replayed and write again, with other
    // times, what it had stored.
    if (settled() && !dirty()) {
      await condition(allHandlersFinished);
      if (!settled() || dirty()) continue;
      const version = incident.version;
      const wait = Math.max(1, lastAsked() + SETTLED_QUIET_MS - Date.now());
      const stirredNow = () => incident.version !== version || !allHandlersFinished() || !settled();
      const stirred = await condition(stirredNow, wait);
      // What came in with the timer (an update or signal, a reminder falling due) ran in the same
      // activation after the timeout had decided the condition: handing over now would carry
      // the state without its change, or drop the reminder's post.
      if (stirred || (handOverRechecks && (stirredNow() || dirty()))) continue;
      await continueAsNew<typeof incidentWorkflow>({ ...carried(), recorded: writes.recorded(), inSync: true });
    }
    // Write every change through before finishing: the store must never lag a finished run.
    if (dirty()) {
      await flush();
      continue;
    }
    if (!allHandlersFinished()) {
      await condition(allHandlersFinished);
      continue;
    }
    if (handOver()) await continueAsNew<typeof incidentWorkflow>(carried());
    if (retentionOver()) return recordOf(incident);
  }
}
