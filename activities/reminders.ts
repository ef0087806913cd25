/**
 * Reminder messages: to the commander (report and close reminders) and to a task's people
 * (overdue tasks), in the incident channel with buttons the Slack app handles (snooze, done).
 * Idempotent: the message carries a key made of the incident, the reminder and its due time,
 * so a retried activity finds the message it posted before.
 */
import type { Task } from '../domain/incident';
import { SNOOZE_MINUTES, type DueReminder } from '../domain/reminders';
import type { IncidentBrief } from '../domain/resources';
import { taskPeople } from '../domain/tasks';
import { toActivityFailure } from './errors';
import type { Providers } from './providers/types';

export interface ReminderInput {
  incident: IncidentBrief;
  /** The incident channel's id, when it exists. */
  channelId?: string;
  reminder: DueReminder;
  /** For task reminders: the task as it is now. */
  task?: Task;
}

export interface ReminderOutcome {
  recipients: string[];
  /** False when there was nowhere to send it (no chat provider or no channel yet). */
  delivered: boolean;
}

const LABELS = { '30': '30 min', '60': '1 hour', '120': '2 hours' } as const;

/** The message key: also how the benchmark reads when a reminder was due. */
export function reminderKey(incidentId: string, reminder: DueReminder): string {
  const what = reminder.kind === 'task' ? `task-${reminder.taskId}` : reminder.kind;
  return `reminder:${incidentId}:${what}:${new Date(reminder.dueAt).toISOString()}`;
}

export function reminderMessage({ incident, reminder, task }: ReminderInput): { text: string; blocks: unknown[]; recipients: string[] } {
  const commander = incident.commander.email;
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const button = (actionId: string, label: string, value: string, style?: 'primary') => ({
    type: 'actions',
    elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, value, ...(style ? { style } : {}) }],
  });
  switch (reminder.kind) {
    case 'tactical':
    case 'executive': {
      const text = `Reminder for ${incident.commander.name ?? commander}: please post a ${reminder.kind} report for ${incident.id} (${incident.title}), \`muster report ${reminder.kind} ${incident.id}\`.`;
      // One button per block: Slack wants action ids unique within a block.
      const snoozes = SNOOZE_MINUTES.map((m) => button('muster_snooze', `Snooze ${LABELS[String(m) as keyof typeof LABELS]}`, `${incident.id}:${reminder.kind}:${m}`));
      return { text, blocks: [section(text), ...snoozes], recipients: [commander] };
    }
    case 'close': {
      const text = `Reminder for ${incident.commander.name ?? commander}: ${incident.id} (${incident.title}) has been Stable for a while; close it if the work is done.`;
      return { text, blocks: [section(text)], recipients: [commander] };
    }
    case 'task': {
      const people = task ? taskPeople(task) : [];
      const text = `Task ${reminder.taskId} of ${incident.id} is overdue (resolve by ${task?.resolveBy ?? '?'}): ${task?.description ?? ''}\nFor ${people.join(', ')}.`;
      return { text, blocks: [section(text), button('muster_task_done', 'Done', `${incident.id}:${reminder.taskId}`, 'primary')], recipients: people };
    }
  }
}

export function createReminderActivities({ providers }: { providers: Partial<Providers> }) {
  return {
    async sendReminder(input: ReminderInput): Promise<ReminderOutcome> {
      const { text, blocks, recipients } = reminderMessage(input);
      const chat = providers.chat;
      if (!chat || !input.channelId) return { recipients, delivered: false };
      try {
        await chat.postMessage(input.channelId, { text, blocks, dedupeKey: reminderKey(input.incident.id, input.reminder) });
      } catch (err) {
        throw toActivityFailure(err);
      }
      return { recipients, delivered: true };
    },
  };
}
