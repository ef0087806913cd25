/**
 * The wire contract of Muster's workflows: every signal, query and update, the task queue,
 * the workflow IDs and the search attributes. Clients (API, CLI, Slack app) import only this
 * file. Names are frozen once released: add, never rename.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ResourceKind } from '../domain/resources';
import type { TransitionStep } from '../domain/transitions';
import type { SubmitFeedbackRequest } from '../domain/feedback';
import type { DigestInput, DigestKind, DigestResult } from '../domain/digests';
import type { EngageOncallRequest, EngagementProgress } from '../domain/engagement';
import type { NotifierProgress, SubscribeRequest } from '../domain/notifications';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type {
  AddParticipantRequest,
  ChannelActivity,
  RemoveParticipantRequest,
  ChangeRoleRequest,
  DeclareIncidentInput,
  ExecutiveReport,
  IncidentRecord,
  IncidentSettings,
  IncidentState,
  TacticalReport,
  Task,
  TimelineNote,
  UpdateIncidentRequest,
} from '../domain/incident';
import type { AddTaskRequest, TaskActionRequest } from '../domain/tasks';
import type { PostReportRequest } from '../domain/reports';
import type { AddedTimelineNote, AddTimelineNoteRequest } from '../domain/timeline';

export const DEFAULT_TASK_QUEUE = 'muster-incidents';
export const DEFAULT_INCIDENT_PREFIX = 'INC';

/** Workflow type names, for clients that start workflows without importing their code. */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';
export const REGISTRY_WORKFLOW_TYPE = 'incidentRegistryWorkflow';

export const incidentWorkflowId = (incidentId: string): string => `incident-${incidentId}`;
/** One registry per id prefix: deployments (and test suites) sharing a namespace keep apart by prefix. */
export const registryWorkflowId = (prefix: string): string => `incident-registry-${prefix}`;

export interface IncidentWorkflowInput {
  incidentId: string;
  number: number;
  settings: IncidentSettings;
  /** A new incident. */
  declaration?: DeclareIncidentInput;
  /** With `declaration`: whether the reporter named a commander (else the role policy may pick one). */
  commanderNamed?: boolean;
  /** The incident's workflow had completed; load its state from the store. */
  resume?: boolean;
  /** Carried over by continue-as-new. */
  state?: IncidentState;
  /** With `state`: how much of it the store already has (the rest is written by the new run). */
  recorded?: { version: number; seq: number };
  /** With `state`: resources an operator asked to retry that the previous run had not started. */
  retries?: ResourceKind[];
  /** With `state`: transition steps (review on Stable, closing messages) the previous run had not run. */
  transitions?: TransitionStep[];
  /** With `state`: how far the notifier got (events announced, people welcomed). */
  notifications?: NotifierProgress;
  /** With `state`: the resources show the state already (a settled run handed over), so no sync. */
  inSync?: boolean;
  /** With `state`: what engagement did (rules resolved, ticket labels, teams added). */
  engagement?: EngagementProgress;
  /** Set by a hand-over: the patches the run takes without markers (PATCH_LEVEL in incident.ts). */
  patchLevel?: number;
}

export const getIncidentQuery = defineQuery<IncidentState>('getIncident');
export const updateIncidentUpdate = defineUpdate<IncidentState, [UpdateIncidentRequest]>('updateIncident');
export const addTimelineEventSignal = defineSignal<[TimelineNote]>('addTimelineEvent');
/**
 * Adds a note and returns it once it is in the timeline: one round trip, no query first. With
 * `requireDirector` the actor must be the commander or a scribe (else rejected, not_allowed);
 * with `once` and `at` a note already there is not added again.
 */
export const addTimelineNoteUpdate = defineUpdate<AddedTimelineNote, [AddTimelineNoteRequest]>('addTimelineNote');

export interface IncidentRegistryInput {
  prefix: string;
  /** Carried over by continue-as-new; absent on the first run, which seeds it from the store. */
  lastNumber?: number;
  keys?: RememberedKey[];
}

export interface RememberedKey {
  key: string;
  incidentId: string;
  number: number;
  /** Epoch ms (workflow time) it was first seen; keys are remembered for a day. */
  at: number;
}

export interface AllocateIncidentIdRequest {
  idempotencyKey: string;
}

export interface AllocatedIncidentId {
  incidentId: string;
  number: number;
  /** False when the key had been seen before: the caller gets the incident made the first time. */
  created: boolean;
}

export const allocateIncidentIdUpdate = defineUpdate<AllocatedIncidentId, [AllocateIncidentIdRequest]>('allocateIncidentId');

/** Search attributes, so the Web UI and `temporal workflow list --query` can filter incidents. */
export const searchAttributes = {
  status: defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey('IncidentPriority', SearchAttributeType.KEYWORD),
  type: defineSearchAttributeKey('IncidentType', SearchAttributeType.KEYWORD),
  commander: defineSearchAttributeKey('IncidentCommander', SearchAttributeType.KEYWORD),
  visibility: defineSearchAttributeKey('IncidentVisibility', SearchAttributeType.KEYWORD),
  title: defineSearchAttributeKey('IncidentTitle', SearchAttributeType.TEXT),
} as const;

/** Rule-error types carried by rejected updates (ApplicationFailure.type). */
export const REJECTION_TYPES = ['invalid_field', 'invalid_transition', 'not_allowed'] as const;

type Visible = Pick<IncidentRecord, 'title' | 'status' | 'severity' | 'priority' | 'type' | 'commander' | 'visibility'>;

/** Set at start by the client and on every change by the workflow, so both agree. */
export function incidentSearchAttributes(incident: Visible): SearchAttributePair[] {
  return [
    { key: searchAttributes.status, value: incident.status },
    { key: searchAttributes.severity, value: incident.severity },
    { key: searchAttributes.priority, value: incident.priority },
    { key: searchAttributes.type, value: incident.type },
    { key: searchAttributes.commander, value: incident.commander.email },
    { key: searchAttributes.visibility, value: incident.visibility },
    { key: searchAttributes.title, value: incident.title },
  ];
}

/** What the Web UI shows on the workflow's page. */
export function incidentMemo(incident: Visible & Partial<Pick<IncidentRecord, 'resources'>>): Record<string, unknown> {
  const links = Object.fromEntries(
    Object.entries(incident.resources ?? {})
      .filter(([, resource]) => resource.url)
      .map(([kind, resource]) => [kind, resource.url]),
  );
  return { title: incident.title, status: incident.status, commander: incident.commander.email, links };
}

/** Signatures of the workflows, for typed starts by name. */
export type IncidentWorkflow = (input: IncidentWorkflowInput) => Promise<IncidentRecord>;
export type IncidentRegistryWorkflow = (input: IncidentRegistryInput) => Promise<void>;

export interface RetryResourceRequest {
  /** A resource kind: ticket, tacticalGroup, notificationsGroup, channel, folder, conference, document. */
  resource: string;
  actor: string;
}

/** Makes a failed resource again, once its cause is fixed. */
export const retryResourceUpdate = defineUpdate<IncidentState, [RetryResourceRequest]>('retryResource');

/** Assigns or renounces a role (commander, liaison, scribe, participant, observer). */
export const changeRoleUpdate = defineUpdate<IncidentState, [ChangeRoleRequest]>('changeRole');

/** Someone joined (the channel, a Join button): added as Observer or Participant; a no-op if already involved. */
export const addParticipantUpdate = defineUpdate<IncidentState, [AddParticipantRequest]>('addParticipant');
/** Someone left (the channel): their Observer/Participant roles go; refused for the commander. */
export const removeParticipantUpdate = defineUpdate<IncidentState, [RemoveParticipantRequest]>('removeParticipant');
/** A message someone posted in the incident channel: counts toward Observer -> Participant. */
export const recordChannelActivitySignal = defineSignal<[ChannelActivity]>('recordChannelActivity');
/** A participant's feedback (rating 1-5, text, anonymous); a second from the same person replaces the first. */
export const submitFeedbackUpdate = defineUpdate<IncidentState, [SubmitFeedbackRequest]>('submitFeedback');

/** The scheduled digests (workflows/digests.ts), one Temporal Schedule each. */
export const DIGEST_WORKFLOW_TYPE = 'digestWorkflow';
export type DigestWorkflow = (input: DigestInput) => Promise<DigestResult>;
/** Per task queue, so deployments (and test runs) sharing a namespace keep their schedules apart. */
export const digestScheduleId = (taskQueue: string, kind: DigestKind): string => `muster-digest-${kind}-${taskQueue}`;
export const digestWorkflowId = (taskQueue: string, kind: DigestKind): string => `digest-${kind}-${taskQueue}`;
/** Brings a service's current on-call into the incident with a role (default Participant), optionally paging them. */
export const engageOncallUpdate = defineUpdate<IncidentState, [EngageOncallRequest]>('engageOncall');

export interface SnoozeReminderRequest {
  kind: 'tactical' | 'executive';
  /** 30, 60 or 120. */
  minutes: number;
  actor: string;
}

/** Moves the next tactical or executive report reminder out by 30, 60 or 120 minutes. */
export const snoozeReminderUpdate = defineUpdate<IncidentState, [SnoozeReminderRequest]>('snoozeReminder');

/** Adds a task; returns it (with its id). */
export const addTaskUpdate = defineUpdate<Task, [AddTaskRequest]>('addTask');
export const resolveTaskUpdate = defineUpdate<Task, [TaskActionRequest]>('resolveTask');
export const reopenTaskUpdate = defineUpdate<Task, [TaskActionRequest]>('reopenTask');
/** The incident's tasks, live. */
export const listTasksQuery = defineQuery<Task[]>('listTasks');

/** Posts a tactical or executive report: kept as the latest of its kind and posted to the channel. */
export const postReportUpdate = defineUpdate<TacticalReport | ExecutiveReport, [PostReportRequest]>('postReport');
/** Adds a person to the incident's notifications group (every update by email). */
export const subscribeUpdate = defineUpdate<IncidentState, [SubscribeRequest]>('subscribe');
