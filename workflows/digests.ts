/**
 * One run of a scheduled digest (daily active incidents, weekly closed ones, daily feedback to
 * commanders). A Temporal Schedule starts it (worker/schedules.ts); the activity reads the
 * store and sends, so the workflow is one step that Temporal retries.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { DigestInput, DigestResult } from '../domain/digests';

const { sendDigest } = proxyActivities<MusterActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function digestWorkflow(input: DigestInput): Promise<DigestResult> {
  // Workflow time is fixed for the run, so a retried activity keys its sends to the same day.
  return sendDigest({ ...input, at: input.at ?? new Date().toISOString() });
}
