/**
 * Reminders as durable timers inside the incident workflow: one coroutine sleeps until the
 * earliest reminder the incident has scheduled (domain/reminders.ts) and wakes early whenever
 * that time moves (a report, a snooze, a priority or status change, a task change), so every
 * reminder goes out at its due time, surviving worker restarts, with no polling.
 */
import { ApplicationFailure, condition, log, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { IncidentSettings, IncidentState, Task } from '../domain/incident';
import { applyReminderSent, applySnooze, nextReminderAt, reminderRecipients, scheduledReminders, syncClocks, validateSnooze, type DueReminder } from '../domain/reminders';
import { briefOf } from '../domain/resources';
import { IncidentRuleError, validateActor } from '../domain/rules';
import { snoozeReminderUpdate } from './definitions';
import type { StoreWrite, StoreWrites } from './store-writes';

/** A reminder is a visible message: a few quick attempts, then the clock moves on without it. */
const messageOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
} as const;
const messages = proxyActivities<MusterActivities>(messageOptions);
/** The same, run by the worker that fires the timer: no trip through the server's task queue. */
const localMessages = proxyLocalActivities<MusterActivities>(messageOptions);

export interface ReminderControl {
  /** True while a reminder is being sent: no hand-over or completion then. */
  busy: boolean;
  /** Reminders this run has sent. */
  sent: number;
  /** Whether a reminder is due now (set once the coroutine runs). */
  hasWork?: () => boolean;
}

const now = () => new Date().toISOString();

export function ruleFailure(err: unknown): unknown {
  if (err instanceof IncidentRuleError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [{ field: err.field }], nonRetryable: true });
  }
  return err;
}

/** Runs a rule, turning its refusal into the failure an update rejects with. */
export function checkedRule<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    throw ruleFailure(err);
  }
}

export function registerReminderHandlers(current: () => IncidentState | undefined, settings: IncidentSettings): void {
  setHandler(
    snoozeReminderUpdate,
    async ({ actor, ...request }) => {
      await condition(() => current() !== undefined);
      const incident = current()!;
      applySnooze(incident, checkedRule(() => validateSnooze(incident, request, settings)), actor, now());
      return incident;
    },
    {
      validator: ({ actor, ...request }) => {
        checkedRule(() => validateActor(actor));
        const incident = current();
        if (incident) checkedRule(() => validateSnooze(incident, request, settings));
      },
    },
  );
}

/**
 * `local`: send through a local activity (runs that started before it replay with a regular one).
 * `writes`: the reminder is applied first and its activity writes the incident through after the
 * post (runs that started before that replay with the send and the main loop's write apart).
 */
export async function runReminders(incident: IncidentState, settings: IncidentSettings, control: ReminderControl, local = false, writes?: StoreWrites): Promise<never> {
  const { sendReminder } = local ? localMessages : messages;
  control.hasWork = () => (nextReminderAt(incident, settings) ?? Infinity) <= Date.now();
  for (;;) {
    syncClocks(incident, now());
    const next = scheduledReminders(incident, settings)[0];
    // Wake when the schedule moves: a new earliest time, or a status the clocks were not set for.
    const moved = () => incident.reminders?.status !== incident.status || nextReminderAt(incident, settings) !== next?.dueAt;
    if (!next) {
      await condition(moved);
      continue;
    }
    const wait = next.dueAt - Date.now();
    if (wait > 0) {
      await condition(moved, wait);
      continue;
    }
    const channel = incident.resources.channel;
    const task = next.kind === 'task' ? incident.tasks?.find((t) => t.id === next.taskId) : undefined;
    const input = { incident: briefOf(incident), channelId: channel?.status === 'ready' ? channel.externalId : undefined, reminder: next, task };
    if (writes) {
      await remindAndWrite(incident, next, task, writes, (write) => sendReminder({ ...input, write: { incident: write.incident, timeline: write.timeline } }), control);
      continue;
    }
    control.busy = true;
    let recipients: string[] = [];
    try {
      const outcome = await sendReminder(input);
      recipients = outcome.recipients;
      if (!outcome.delivered) log.info('Reminder due but there is no channel to post it in', { incidentId: incident.id, kind: next.kind });
    } catch (err) {
      log.warn('Could not send a reminder', { incidentId: incident.id, kind: next.kind, error: String(err) });
    } finally {
      control.busy = false;
    }
    if (recipients.length === 0) recipients = next.kind === 'task' && task ? [task.owner, ...task.assignees] : [incident.commander.email];
    applyReminderSent(incident, next, recipients, now());
    control.sent += 1;
  }
}

/**
 * The reminder counts as sent whether or not the post gets through (the clock moves on either
 * way), so it is applied first, and the activity posts it and then writes the incident through.
 * Should that fail, the change is dirty again and the incident's main loop writes it.
 */
async function remindAndWrite(
  incident: IncidentState,
  reminder: DueReminder,
  task: Task | undefined,
  writes: StoreWrites,
  send: (write: StoreWrite) => Promise<{ delivered: boolean }>,
  control: ReminderControl,
): Promise<void> {
  applyReminderSent(incident, reminder, reminderRecipients(reminder, incident.commander.email, task), now());
  control.sent += 1;
  const write = writes.take();
  control.busy = true;
  try {
    const { delivered } = await send(write);
    writes.done(write);
    if (!delivered) log.info('Reminder due but there is no channel to post it in', { incidentId: incident.id, kind: reminder.kind });
  } catch (err) {
    writes.dropped(write);
    log.warn('Could not send a reminder or write it through', { incidentId: incident.id, kind: reminder.kind, error: String(err) });
  } finally {
    control.busy = false;
  }
}
