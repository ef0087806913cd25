/**
 * When someone last reached the incident: every signal and update, whichever module handles it,
 * passes through this inbound interceptor, which notes the workflow time. The incident workflow
 * hands over only once people have left it alone for a moment (workflows/incident.ts).
 */
import type { WorkflowInboundCallsInterceptor, WorkflowInterceptorsFactory } from '@temporalio/workflow';

let lastAskedAt = -Infinity;

/** Workflow time (ms) of the latest signal or update this run handled. */
export const lastAsked = (): number => lastAskedAt;

class NoteAsked implements WorkflowInboundCallsInterceptor {
  handleSignal: NonNullable<WorkflowInboundCallsInterceptor['handleSignal']> = (input, next) => {
    lastAskedAt = Date.now();
    return next(input);
  };

  handleUpdate: NonNullable<WorkflowInboundCallsInterceptor['handleUpdate']> = (input, next) => {
    lastAskedAt = Date.now();
    return next(input);
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new NoteAsked()] });
