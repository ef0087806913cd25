/** The reminder schedule, task rules and report rules as pure functions. */
import { DEFAULT_MUSTER_CONFIG } from '../../activities';
import { reminderKey, reminderMessage } from '../../activities/reminders';
import { DEFAULT_SETTINGS, type IncidentSettings, type IncidentState } from '../../domain/incident';
import { applyReminderSent, applySnooze, nextReminderAt, reminderSettingsFrom, scheduledReminders, syncClocks, validateSnooze } from '../../domain/reminders';
import { applyReport, reportText, validateReport } from '../../domain/reports';
import { briefOf } from '../../domain/resources';
import { newIncident, normalizeDeclaration } from '../../domain/rules';
import { applyAddTask, applyTaskStatus, validateAddTask, validateTaskAction } from '../../domain/tasks';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const settings: IncidentSettings = { ...DEFAULT_SETTINGS, ...reminderSettingsFrom(DEFAULT_MUSTER_CONFIG) };

function incident(priority: 'Low' | 'Medium' | 'High' = 'High'): IncidentState {
  const state = newIncident('INC-1', 1, normalizeDeclaration({ title: 'Checkout errors', priority, reporter: { email: 'ic@example.com' } }, settings), iso(T0));
  syncClocks(state, iso(T0));
  return state;
}

test('the configured cadences reach the settings: High 2 h / 6 h, Low never executive', () => {
  expect(settings.reportReminders?.High).toEqual({ tactical: 2 * HOUR, executive: 6 * HOUR });
  expect(settings.reportReminders?.Low).toEqual({ tactical: 12 * HOUR, executive: null });
  expect(settings.excludeFromReminders).toEqual([]);
});

test('a sent reminder keeps the schedule on its grid; after an outage it counts from now', () => {
  const state = incident();
  const first = scheduledReminders(state, settings)[0]!;
  expect(first).toEqual({ kind: 'tactical', dueAt: T0 + 2 * HOUR });
  applyReminderSent(state, first, ['ic@example.com'], iso(T0 + 2 * HOUR + 800));
  expect(nextReminderAt(state, settings)).toBe(T0 + 4 * HOUR);
  applyReminderSent(state, scheduledReminders(state, settings)[0]!, ['ic@example.com'], iso(T0 + 9 * HOUR));
  expect(scheduledReminders(state, settings).find((r) => r.kind === 'tactical')!.dueAt).toBe(T0 + 11 * HOUR);
  expect(state.timeline.filter((e) => e.kind === 'reminder')).toHaveLength(2);
});

test('snooze: only 30, 60 or 120 minutes, only for a reminder the incident has', () => {
  const state = incident('Low');
  expect(() => validateSnooze(state, { kind: 'tactical', minutes: 45 }, settings)).toThrow(/minutes must be one of 30, 60, 120/);
  expect(() => validateSnooze(state, { kind: 'executive', minutes: 30 }, settings)).toThrow(/no executive report reminder/);
  applySnooze(state, validateSnooze(state, { kind: 'tactical', minutes: 30 }, settings), 'ic@example.com', iso(T0 + HOUR));
  expect(nextReminderAt(state, settings)).toBe(T0 + 90 * 60_000);
});

test('status changes stop and restart the clocks', () => {
  const state = incident();
  state.status = 'Stable';
  syncClocks(state, iso(T0 + HOUR));
  expect(scheduledReminders(state, settings)).toEqual([{ kind: 'close', dueAt: T0 + HOUR + 7 * 24 * HOUR }]);
  state.status = 'Active';
  syncClocks(state, iso(T0 + 2 * HOUR));
  expect(nextReminderAt(state, settings)).toBe(T0 + 4 * HOUR);
});

test('tasks: defaults, refusals, and once-a-day reminders while open', () => {
  const state = incident('Low');
  const at = iso(T0);
  expect(() => validateAddTask(state, { description: ' ', actor: 'ic@example.com' }, at)).toThrow(/description must not be empty/);
  expect(() => validateAddTask(state, { description: 'x', owner: 'nobody', actor: 'ic@example.com' }, at)).toThrow(/owner must be an email/);
  const task = applyAddTask(state, validateAddTask(state, { description: 'Alert', assignees: ['Sam@Example.com'], actor: 'ic@example.com' }, at), at);
  expect(task).toMatchObject({ id: 'T1', owner: 'ic@example.com', assignees: ['sam@example.com'], resolveBy: iso(T0 + 24 * HOUR) });
  const review = applyAddTask(state, validateAddTask(state, { description: 'Review', review: true, actor: 'ic@example.com' }, at), at);
  expect(review.resolveBy).toBe(iso(T0 + 7 * 24 * HOUR));
  expect(scheduledReminders(state, settings).find((r) => r.kind === 'task')).toEqual({ kind: 'task', taskId: 'T1', dueAt: T0 + 24 * HOUR });
  applyReminderSent(state, { kind: 'task', taskId: 'T1', dueAt: T0 + 24 * HOUR }, ['ic@example.com', 'sam@example.com'], iso(T0 + 24 * HOUR));
  expect(scheduledReminders(state, settings).find((r) => r.kind === 'task')!.dueAt).toBe(T0 + 48 * HOUR);
  applyTaskStatus(state, validateTaskAction(state, { taskId: 't1', actor: 'sam@example.com' }, 'Resolved').id, 'Resolved', 'sam@example.com', iso(T0 + 25 * HOUR));
  expect(() => validateTaskAction(state, { taskId: 'T1', actor: 'x' }, 'Resolved')).toThrow(/already Resolved/);
  expect(() => validateTaskAction(state, { taskId: 'T9', actor: 'x' }, 'Resolved')).toThrow(/has no task "T9"/);
  expect(scheduledReminders(state, settings).some((r) => r.kind === 'task' && r.taskId === 'T1')).toBe(false);
});

test('reports: each kind names its missing field; a report restarts its clock', () => {
  const state = incident();
  expect(() => validateReport(state, { kind: 'tactical', conditions: 'a', actions: 'b', actor: 'ic@example.com' } as never, iso(T0))).toThrow(/needs must not be empty/);
  const report = validateReport(state, { kind: 'tactical', conditions: 'a', actions: 'b', needs: 'c', actor: 'ic@example.com' }, iso(T0 + HOUR));
  applyReport(state, report);
  expect(nextReminderAt(state, settings)).toBe(T0 + 3 * HOUR);
  expect(reportText(state, report)).toContain('*Needs:* c');
  expect(state.timeline.at(-1)).toMatchObject({ kind: 'report', field: 'tactical' });
});

test('reminder messages carry the snooze and done buttons the Slack app handles', () => {
  const state = incident();
  const tactical = reminderMessage({ incident: briefOf(state), reminder: { kind: 'tactical', dueAt: T0 + 2 * HOUR } });
  const actions = tactical.blocks.flatMap((b) => ((b as { elements?: Array<{ action_id: string; value: string }> }).elements ?? []).map((e) => `${e.action_id}=${e.value}`));
  expect(actions).toEqual(['muster_snooze=INC-1:tactical:30', 'muster_snooze=INC-1:tactical:60', 'muster_snooze=INC-1:tactical:120']);
  expect(reminderKey('INC-1', { kind: 'task', taskId: 'T1', dueAt: T0 })).toBe(`reminder:INC-1:task-T1:${iso(T0)}`);
});
