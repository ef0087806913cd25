/**
 * Reminders: when the commander is next reminded to post a tactical or executive report, to
 * close a long-Stable incident, and when an overdue task next reminds its people. Pure: the
 * workflow keeps the clocks in the incident's state and sleeps until the earliest due time
 * these functions give, so a priority change or a posted report moves the timer at once.
 */
import type { IncidentSettings, IncidentState, Priority, ReminderClock, ReportKind, Task } from './incident';
import { applyEvent, IncidentRuleError } from './rules';
import { taskPeople } from './tasks';

export const SNOOZE_MINUTES = [30, 60, 120] as const;
export const DEFAULT_CLOSE_REMINDER_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_TASK_REMINDER_MS = 24 * 60 * 60 * 1000;

export type ReminderKind = ReportKind | 'close';

/** A reminder sent within this of its due time keeps the schedule on its grid. */
const ON_GRID_MS = 60_000;

/** A reminder that is due: what to send and to whom. */
export type DueReminder =
  | { kind: ReminderKind; dueAt: number }
  | { kind: 'task'; taskId: string; dueAt: number };

/** The config file's slice the workflow needs (structural, so domain does not import config). */
export interface ReminderConfig {
  priorities: ReadonlyArray<{ name: Priority; tacticalReportReminder: number | null; executiveReportReminder: number | null }>;
  incidentTypes: ReadonlyArray<{ name: string; excludeFromReminders: boolean }>;
}

/** The settings fields that carry the configured cadences into the workflow's input. */
export function reminderSettingsFrom(config: ReminderConfig): Pick<IncidentSettings, 'reportReminders' | 'excludeFromReminders'> {
  return {
    reportReminders: Object.fromEntries(
      config.priorities.map((p) => [p.name, { tactical: p.tacticalReportReminder, executive: p.executiveReportReminder }]),
    ),
    excludeFromReminders: config.incidentTypes.filter((t) => t.excludeFromReminders).map((t) => t.name),
  };
}

/** Milliseconds between reminders of this kind for the incident as it is now; null: none. */
export function reportCadence(incident: Pick<IncidentState, 'priority' | 'type'>, kind: ReportKind, settings: IncidentSettings): number | null {
  if (settings.excludeFromReminders?.includes(incident.type)) return null;
  return settings.reportReminders?.[incident.priority]?.[kind] ?? null;
}

const due = (clock: ReminderClock | undefined, cadence: number | null): number | undefined => {
  if (!clock || cadence === null) return undefined;
  return clock.snoozedUntil ? Date.parse(clock.snoozedUntil) : Date.parse(clock.since) + cadence;
};

/**
 * Starts, stops or keeps the clocks after a change of status: report clocks run while Active
 * (restarting when it becomes Active again), the close clock while Stable. Returns whether it
 * changed anything.
 */
export function syncClocks(incident: IncidentState, at: string): boolean {
  const clocks = incident.reminders;
  if (clocks && clocks.status === incident.status) return false;
  if (incident.status === 'Active') incident.reminders = { status: 'Active', tactical: { since: at }, executive: { since: at } };
  else if (incident.status === 'Stable') incident.reminders = { status: 'Stable', close: { since: at } };
  else incident.reminders = { status: incident.status };
  return true;
}

export function taskDueAt(task: Task, settings: IncidentSettings): number | undefined {
  if (task.status !== 'Open') return undefined;
  return task.remindedAt ? Date.parse(task.remindedAt) + (settings.taskReminderMs ?? DEFAULT_TASK_REMINDER_MS) : Date.parse(task.resolveBy);
}

/** Every reminder the incident has scheduled, earliest first. */
export function scheduledReminders(incident: IncidentState, settings: IncidentSettings): DueReminder[] {
  const result: DueReminder[] = [];
  const clocks = incident.reminders;
  if (clocks?.status === incident.status) {
    for (const kind of ['tactical', 'executive'] as const) {
      const at = due(clocks[kind], reportCadence(incident, kind, settings));
      if (at !== undefined) result.push({ kind, dueAt: at });
    }
    const close = due(clocks.close, settings.closeReminderMs ?? DEFAULT_CLOSE_REMINDER_MS);
    if (close !== undefined) result.push({ kind: 'close', dueAt: close });
  }
  // Tasks of a closed incident stay open in the record but no longer nag anyone.
  if (incident.status !== 'Closed') {
    for (const task of incident.tasks ?? []) {
      const at = taskDueAt(task, settings);
      if (at !== undefined) result.push({ kind: 'task', taskId: task.id, dueAt: at });
    }
  }
  return result.sort((a, b) => a.dueAt - b.dueAt);
}

/** The earliest due time, or undefined when nothing is scheduled. */
export function nextReminderAt(incident: IncidentState, settings: IncidentSettings): number | undefined {
  return scheduledReminders(incident, settings)[0]?.dueAt;
}

const LABEL: Record<ReminderKind, string> = { tactical: 'tactical report', executive: 'executive report', close: 'close' };

/** Records that a reminder went out (restarting its clock) and puts it in the timeline. */
/** Who a reminder is for: the commander, or an overdue task's owner and assignees. */
export function reminderRecipients(reminder: DueReminder, commander: string, task: Task | undefined): string[] {
  return reminder.kind === 'task' && task ? taskPeople(task) : [commander];
}

export function applyReminderSent(incident: IncidentState, reminder: DueReminder, recipients: string[], at: string): void {
  if (reminder.kind === 'task') {
    const task = incident.tasks?.find((t) => t.id === reminder.taskId);
    if (!task) return;
    task.remindedAt = at;
    applyEvent(incident, { at, actor: 'muster', kind: 'reminder', field: `task:${task.id}`, to: recipients.join(','), text: `Reminded ${recipients.join(', ')} that task ${task.id} is overdue: ${task.description}` });
    return;
  }
  const clock = incident.reminders?.[reminder.kind];
  if (clock) {
    // The next one counts from when this one was due, so sending time does not drift the
    // schedule (2, 4, 6 h); after a long outage it counts from now instead of catching up.
    clock.since = Date.parse(at) - reminder.dueAt < ON_GRID_MS ? new Date(reminder.dueAt).toISOString() : at;
    delete clock.snoozedUntil;
  }
  applyEvent(incident, { at, actor: 'muster', kind: 'reminder', field: reminder.kind, to: recipients.join(','), text: `Reminded ${recipients.join(', ')} to ${reminder.kind === 'close' ? 'close the incident' : `post a ${LABEL[reminder.kind]}`}` });
}

export interface SnoozeRequest {
  kind: ReportKind;
  minutes: number;
}

export function validateSnooze(incident: IncidentState, request: SnoozeRequest, settings: IncidentSettings): SnoozeRequest {
  if (typeof request !== 'object' || request === null) throw new IncidentRuleError('invalid_field', 'a snooze needs kind and minutes', 'body');
  if (request.kind !== 'tactical' && request.kind !== 'executive') {
    throw new IncidentRuleError('invalid_field', `kind must be one of tactical, executive (got ${JSON.stringify(request.kind)})`, 'kind');
  }
  if (!(SNOOZE_MINUTES as readonly number[]).includes(request.minutes)) {
    throw new IncidentRuleError('invalid_field', `minutes must be one of ${SNOOZE_MINUTES.join(', ')} (got ${JSON.stringify(request.minutes)})`, 'minutes');
  }
  if (incident.status !== 'Active' || reportCadence(incident, request.kind, settings) === null) {
    throw new IncidentRuleError('invalid_transition', `${incident.id} has no ${LABEL[request.kind]} reminder to snooze (${incident.status}, ${incident.priority} priority, ${incident.type})`, 'kind');
  }
  return { kind: request.kind, minutes: request.minutes };
}

export function applySnooze(incident: IncidentState, request: SnoozeRequest, actor: string, at: string): void {
  syncClocks(incident, at);
  const clock = incident.reminders![request.kind] ?? (incident.reminders![request.kind] = { since: at });
  clock.snoozedUntil = new Date(Date.parse(at) + request.minutes * 60_000).toISOString();
  applyEvent(incident, { at, actor, kind: 'reminder', field: request.kind, to: clock.snoozedUntil, text: `${actor} snoozed the ${LABEL[request.kind]} reminder for ${request.minutes} minutes` });
}

/** A report restarts its reminder's clock. */
export function restartReportClock(incident: IncidentState, kind: ReportKind, at: string): void {
  syncClocks(incident, at);
  const clocks = incident.reminders!;
  if (clocks.status === 'Active') clocks[kind] = { since: at };
}
