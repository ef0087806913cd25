/**
 * The digests' Temporal Schedules, made at worker start. Idempotent: a schedule that exists is
 * left as it is (an operator may have paused it in the Web UI's Schedules page). Ids carry the
 * task queue, so deployments and test runs sharing a namespace keep apart.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import type { DigestKind } from '../domain/digests';
import { DIGEST_WORKFLOW_TYPE, digestScheduleId, digestWorkflowId } from '../workflows/definitions';

/** When each digest runs (UTC): Dispatch's daily and weekly cadences. */
export const DIGEST_SCHEDULES: Record<DigestKind, { spec: ScheduleSpec; note: string }> = {
  active: { spec: { calendars: [{ hour: 9, minute: 0 }] }, note: 'Daily digest of active incidents to the notification targets' },
  closed: { spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 9, minute: 0 }] }, note: 'Weekly digest of closed incidents to the notification targets' },
  feedback: { spec: { calendars: [{ hour: 17, minute: 0 }] }, note: "Daily digest of the day's feedback to each commander" },
};

export async function ensureDigestSchedules(client: Client, { taskQueue }: { taskQueue: string }): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const [kind, { spec, note }] of Object.entries(DIGEST_SCHEDULES) as Array<[DigestKind, (typeof DIGEST_SCHEDULES)[DigestKind]]>) {
    const scheduleId = digestScheduleId(taskQueue, kind);
    try {
      await client.schedule.create({
        scheduleId,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: DIGEST_WORKFLOW_TYPE,
          args: [{ kind }],
          taskQueue,
          workflowId: digestWorkflowId(taskQueue, kind),
        },
        // A digest that is still running (a slow vendor) makes the next one wait its turn once.
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 hour' },
        state: { note },
      });
      created.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      existing.push(scheduleId);
    }
  }
  return { created, existing };
}
