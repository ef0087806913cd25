/**
 * MusterClient: the typed client for automations. It talks to Temporal only (no database):
 * incidents are workflows, changes are updates, the live state is a query, and lists come
 * from Temporal visibility. The REST API and the CLI are built on it.
 */
import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  DEFAULT_SETTINGS,
  type DeclareIncidentInput,
  type IncidentChanges,
  type IncidentFilter,
  type IncidentSettings,
  type IncidentState,
  type IncidentStatus,
  type Person,
  type Priority,
  type Role,
  type RoleChange,
  type Severity,
  type TimelineNote,
  type ExecutiveReport,
  type TacticalReport,
  type Task,
} from '../domain/incident';
import type { AddTaskRequest, TaskListItem } from '../domain/tasks';
import type { PostReportRequest } from '../domain/reports';
import { checkAddTimelineNote, validateAddTimelineNote, type AddedTimelineNote, type AddTimelineNoteRequest } from '../domain/timeline';
import type { UpdateDefinition } from '@temporalio/common';
import type { AddParticipantRequest, ChannelActivity, RemoveParticipantRequest } from '../domain/incident';
import { validateChannelActivity } from '../domain/participation';
import {
  IncidentRuleError,
  isIncidentId,
  normalizeDeclaration,
  validateActor,
  validateChanges,
  validateNote,
  validateRoleChange,
  type RuleErrorCode,
} from '../domain/rules';
import {
  addTimelineEventSignal,
  addTimelineNoteUpdate,
  allocateIncidentIdUpdate,
  DEFAULT_INCIDENT_PREFIX,
  DEFAULT_TASK_QUEUE,
  getIncidentQuery,
  INCIDENT_WORKFLOW_TYPE,
  incidentMemo,
  incidentSearchAttributes,
  incidentWorkflowId,
  changeRoleUpdate,
  engageOncallUpdate,
  subscribeUpdate,
  registryWorkflowId,
  retryResourceUpdate,
  REGISTRY_WORKFLOW_TYPE,
  REJECTION_TYPES,
  updateIncidentUpdate,
  addTaskUpdate,
  listTasksQuery,
  postReportUpdate,
  reopenTaskUpdate,
  resolveTaskUpdate,
  snoozeReminderUpdate,
  type SnoozeReminderRequest,
  addParticipantUpdate,
  recordChannelActivitySignal,
  removeParticipantUpdate,
  type IncidentRegistryWorkflow,
  type IncidentWorkflow,
  type IncidentWorkflowInput,
} from '../workflows/definitions';
import { submitFeedbackUpdate } from '../workflows/definitions';
import { validateFeedback, type SubmitFeedbackRequest } from '../domain/feedback';

export interface MusterClientOptions {
  taskQueue?: string;
  /** Prefix of new incident ids: INC gives INC-1, INC-2, ... */
  incidentPrefix?: string;
  settings?: IncidentSettings;
}

export interface ConnectOptions extends MusterClientOptions {
  address?: string;
  namespace?: string;
}

/** The incident does not exist (or the id is not an incident id). */
export class IncidentNotFoundError extends Error {
  override readonly name = 'IncidentNotFoundError';
  constructor(readonly incidentId: string) {
    super(`No incident ${incidentId}`);
  }
}

/** A declaration or change was refused; the message says what to do instead. */
export class IncidentRejectedError extends Error {
  override readonly name = 'IncidentRejectedError';
  constructor(
    readonly code: RuleErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface DeclareResult {
  incident: IncidentState;
  /** False when the idempotency key had been used: this is the incident made the first time. */
  created: boolean;
}

/** A row of `list`, read from the search attributes Temporal indexes. */
export interface IncidentListItem {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  priority: Priority;
  type: string;
  commander: string;
  declaredAt: string;
}

function rejected(err: unknown): never {
  if (err instanceof IncidentRuleError) throw new IncidentRejectedError(err.code, err.message, err.field);
  throw err;
}

/** The ApplicationFailure a workflow raised for a refused update, as the client's error. */
function fromUpdateFailure(err: unknown): unknown {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const code: RuleErrorCode = (REJECTION_TYPES as readonly string[]).includes(cause.type ?? '') ? (cause.type as RuleErrorCode) : 'invalid_field';
    const field = (cause.details?.[0] as { field?: string } | undefined)?.field;
    return new IncidentRejectedError(code, cause.message, field);
  }
  return err;
}

/**
 * The server refuses an update as "UnprocessedUpdate" when the worker completed the workflow task
 * it was delivered in without taking it up (seen now and then under concurrent updates to one
 * incident; why the worker leaves it is not pinned down). The update never reached its handler, so
 * sending it again is safe; the caller would otherwise be told "Not done" about a change nobody
 * refused.
 */
export async function resendUnprocessed<T>(send: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (attempt >= attempts || !(cause instanceof ApplicationFailure) || cause.type !== 'UnprocessedUpdate') throw err;
    }
  }
}

const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export class MusterClient {
  readonly taskQueue: string;
  readonly incidentPrefix: string;
  readonly settings: IncidentSettings;

  constructor(
    readonly temporal: Client,
    options: MusterClientOptions = {},
    private readonly ownedConnection?: Connection,
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.incidentPrefix = options.incidentPrefix ?? DEFAULT_INCIDENT_PREFIX;
    this.settings = options.settings ?? DEFAULT_SETTINGS;
  }

  static async connect(options: ConnectOptions = {}): Promise<MusterClient> {
    const connection = await Connection.connect({ address: options.address ?? '127.0.0.1:7233' });
    return new MusterClient(new Client({ connection, namespace: options.namespace ?? 'default' }), options, connection);
  }

  async close(): Promise<void> {
    await this.ownedConnection?.close();
  }

  /**
   * Declares an incident. With the same idempotency key, every call returns the incident made
   * by the first one, so a retried request never declares twice.
   */
  async declare(input: DeclareIncidentInput, options: { idempotencyKey?: string } = {}): Promise<DeclareResult> {
    let declaration: Required<DeclareIncidentInput>;
    try {
      declaration = normalizeDeclaration(input, this.settings);
    } catch (err) {
      rejected(err);
    }
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    if (idempotencyKey.length === 0 || idempotencyKey.length > 200) {
      throw new IncidentRejectedError('invalid_field', 'the idempotency key must be 1-200 characters', 'idempotencyKey');
    }

    const { incidentId, number, created } = await resendUnprocessed(() => this.temporal.workflow.executeUpdateWithStart(allocateIncidentIdUpdate, {
      args: [{ idempotencyKey }],
      startWorkflowOperation: new WithStartWorkflowOperation<IncidentRegistryWorkflow>(REGISTRY_WORKFLOW_TYPE, {
        workflowId: registryWorkflowId(this.incidentPrefix),
        taskQueue: this.taskQueue,
        args: [{ prefix: this.incidentPrefix }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    }));

    const visible = { ...declaration, status: 'Active' as const };
    const start: IncidentWorkflowInput = { incidentId, number, settings: this.settings, declaration, commanderNamed: input.commander !== undefined };
    try {
      // USE_EXISTING: a retry whose first attempt already started the workflow just gets it.
      await this.temporal.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
        workflowId: incidentWorkflowId(incidentId),
        taskQueue: this.taskQueue,
        args: [start],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: incidentSearchAttributes(visible),
        memo: incidentMemo(visible),
      });
    } catch (err) {
      // The first declaration's workflow ran to its end long ago; it is still that incident.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { incident: await this.get(incidentId), created };
  }

  /** The incident's live state. */
  async get(incidentId: string): Promise<IncidentState> {
    try {
      return await this.handle(incidentId).query(getIncidentQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw err;
    }
  }

  /**
   * Changes an incident and returns its new state. Refused changes throw IncidentRejectedError
   * with the reason. A closed incident whose workflow has ended is resumed from its stored
   * record when the change reopens it.
   */
  async update(incidentId: string, changes: IncidentChanges, actor: string): Promise<IncidentState> {
    try {
      validateActor(actor);
    } catch (err) {
      rejected(err);
    }
    const request = { changes, actor };
    try {
      return await this.sendUpdate(incidentId, updateIncidentUpdate, [request]);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw fromUpdateFailure(err);
    }
    const ended = await this.get(incidentId);
    try {
      validateChanges(ended, changes, this.settings);
    } catch (err) {
      rejected(err);
    }
    try {
      return await resendUnprocessed(() => this.temporal.workflow.executeUpdateWithStart(updateIncidentUpdate, {
        args: [request],
        startWorkflowOperation: this.resumeOperation(ended),
      }));
    } catch (err) {
      throw fromUpdateFailure(err);
    }
  }

  /** Assigns or renounces a role; refused with the reason (e.g. leaving the incident without a commander). */
  async changeRole(incidentId: string, change: RoleChange, actor: string): Promise<IncidentState> {
    try {
      return await this.sendUpdate(incidentId, changeRoleUpdate, [{ ...change, actor }]);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw fromUpdateFailure(err);
    }
    // The workflow ended after its retention: the incident is closed, which the rules explain.
    const ended = await this.get(incidentId);
    try {
      validateRoleChange(ended, change);
    } catch (err) {
      rejected(err);
    }
    throw new IncidentRejectedError('invalid_transition', `${incidentId} is Closed; reopen it before changing roles`, 'status');
  }

  /**
   * Brings a service's current on-call into the incident with a role (default Participant) and
   * optionally pages them. Refused: unknown service (field service), closed incident, nobody on call.
   */
  async engageOncall(incidentId: string, request: { service: string; role?: Role; page?: boolean; actor: string }): Promise<IncidentState> {
    try {
      validateActor(request.actor);
    } catch (err) {
      rejected(err);
    }
    try {
      return await this.sendUpdate(incidentId, engageOncallUpdate, [request]);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw fromUpdateFailure(err);
    }
  }

  /** Adds someone to the incident's notifications group (every update by email). */
  async subscribe(incidentId: string, { person, actor }: { person: Person; actor: string }): Promise<IncidentState> {
    try {
      return await this.sendUpdate(incidentId, subscribeUpdate, [{ person, actor }]);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw fromUpdateFailure(err);
    }
  }

  /** Makes a failed resource again (after its cause is fixed); refused unless it failed. */
  async retryResource(incidentId: string, resource: string, actor: string): Promise<IncidentState> {
    try {
      return await this.sendUpdate(incidentId, retryResourceUpdate, [{ resource, actor }]);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw fromUpdateFailure(err);
    }
  }

  /** Adds a note to the timeline (signal: returns once Temporal has it, before the workflow applies it). */
  async addTimelineEvent(incidentId: string, note: TimelineNote): Promise<void> {
    let checked: TimelineNote;
    try {
      checked = validateNote(note);
    } catch (err) {
      rejected(err);
    }
    try {
      await this.handle(incidentId).signal(addTimelineEventSignal, checked);
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const ended = await this.get(incidentId);
    const operation = this.resumeOperation(ended);
    await this.temporal.workflow.signalWithStart<IncidentWorkflow, [TimelineNote]>(INCIDENT_WORKFLOW_TYPE, {
      ...operation.options,
      signal: addTimelineEventSignal,
      signalArgs: [checked],
    });
  }

  /**
   * Adds a note to the timeline and returns it as the timeline has it, in one round trip (an
   * update: it returns once the workflow has applied the note). With `requireDirector` an actor
   * who is neither the commander nor a scribe is refused (IncidentRejectedError, code
   * not_allowed, field actor) and nothing is added; with `once` (and `at`) a note with the same
   * text and time is not added twice (`added: false`). An incident whose workflow has ended is
   * resumed from its stored record, as for addTimelineEvent.
   */
  async addTimelineNote(incidentId: string, request: AddTimelineNoteRequest): Promise<AddedTimelineNote> {
    try {
      checkAddTimelineNote(request);
    } catch (err) {
      rejected(err);
    }
    try {
      return await this.sendUpdate(incidentId, addTimelineNoteUpdate, [request]);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw fromUpdateFailure(err);
    }
    const ended = await this.get(incidentId);
    try {
      validateAddTimelineNote(ended, request);
    } catch (err) {
      rejected(err);
    }
    try {
      return await resendUnprocessed(() => this.temporal.workflow.executeUpdateWithStart(addTimelineNoteUpdate, {
        args: [request],
        startWorkflowOperation: this.resumeOperation(ended),
      }));
    } catch (err) {
      throw fromUpdateFailure(err);
    }
  }

  /** Incidents newest first, from Temporal visibility (eventually consistent by a second or so). */
  async list(filter: IncidentFilter = {}, limit = 50): Promise<IncidentListItem[]> {
    const clauses = [`WorkflowType = ${quote(INCIDENT_WORKFLOW_TYPE)}`, `ExecutionStatus != "ContinuedAsNew"`];
    const anyOf = (attribute: string, values?: string[]) => {
      if (values?.length) clauses.push(`${attribute} IN (${values.map(quote).join(', ')})`);
    };
    anyOf('IncidentStatus', filter.status);
    anyOf('IncidentSeverity', filter.severity);
    anyOf('IncidentPriority', filter.priority);
    anyOf('IncidentType', filter.type);
    if (filter.commander) clauses.push(`IncidentCommander = ${quote(filter.commander.toLowerCase())}`);
    if (filter.q) clauses.push(`IncidentTitle = ${quote(filter.q)}`);

    const seen = new Set<string>();
    const items: IncidentListItem[] = [];
    for await (const execution of this.temporal.workflow.list({ query: clauses.join(' AND ') })) {
      // A resumed incident has an ended run and a new one; the newest comes first.
      if (seen.has(execution.workflowId)) continue;
      seen.add(execution.workflowId);
      const attributes = execution.typedSearchAttributes;
      const read = (name: string) => attributes.getAll().find((pair) => pair.key.name === name)?.value as string | undefined;
      items.push({
        id: execution.workflowId.replace(/^incident-/, ''),
        title: read('IncidentTitle') ?? '',
        status: read('IncidentStatus') as IncidentStatus,
        severity: read('IncidentSeverity') as Severity,
        priority: read('IncidentPriority') as Priority,
        type: read('IncidentType') ?? '',
        commander: read('IncidentCommander') ?? '',
        declaredAt: execution.startTime.toISOString(),
      });
      if (items.length >= limit) break;
    }
    return items;
  }

  /** Adds someone as Observer or Participant (promotes an Observer asking to take part); a no-op if already involved. */
  async addParticipant(incidentId: string, request: AddParticipantRequest): Promise<IncidentState> {
    try {
      return await this.sendUpdate(incidentId, addParticipantUpdate, [request]);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw fromUpdateFailure(err);
    }
  }

  /** Someone left: their Observer/Participant roles go (duties stay); refused for the commander. */
  async removeParticipant(incidentId: string, request: RemoveParticipantRequest): Promise<IncidentState> {
    try {
      return await this.sendUpdate(incidentId, removeParticipantUpdate, [request]);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw fromUpdateFailure(err);
    }
  }

  /** A message by `person` in the incident channel (signal: counts toward Observer -> Participant). */
  async recordChannelActivity(incidentId: string, activity: ChannelActivity): Promise<void> {
    try {
      validateChannelActivity(activity);
    } catch (err) {
      rejected(err);
    }
    try {
      await this.handle(incidentId).signal(recordChannelActivitySignal, activity);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFoundError(incidentId);
      throw err;
    }
  }

  /**
   * A participant's feedback (rating 1-5, optional text up to 4000 characters, optionally
   * anonymous); a second from the same person replaces the first. Returns the incident.
   */
  async submitFeedback(incidentId: string, feedback: SubmitFeedbackRequest): Promise<IncidentState> {
    try {
      validateFeedback(feedback);
    } catch (err) {
      rejected(err);
    }
    try {
      return await this.sendUpdate(incidentId, submitFeedbackUpdate, [feedback]);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw fromUpdateFailure(err);
    }
    // Unknown incidents throw not-found here; a known one has finished its retention.
    await this.get(incidentId);
    throw new IncidentRejectedError('invalid_transition', `${incidentId} is Closed and past its retention; feedback is no longer taken`, 'status');
  }

  /**
   * Runs one of the incident's updates. A workflow that has ended belongs to a Closed incident
   * past its retention, which the rules refuse the same way as a live Closed one.
   */
  /** Sends one of the incident's updates, again if the server says no worker took it up. */
  private sendUpdate<Ret, Args extends [unknown]>(incidentId: string, update: UpdateDefinition<Ret, Args>, args: Args): Promise<Ret> {
    return resendUnprocessed(() => this.handle(incidentId).executeUpdate(update, { args }));
  }

  private async runUpdate<Ret, Args extends [unknown]>(incidentId: string, update: UpdateDefinition<Ret, Args>, args: Args): Promise<Ret> {
    try {
      return await this.sendUpdate(incidentId, update, args);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw fromUpdateFailure(err);
    }
    const ended = await this.get(incidentId);
    throw new IncidentRejectedError('invalid_transition', `${ended.id} is ${ended.status}; reopen it first`, 'status');
  }

  /** Adds a task (owner defaults to the actor, resolve-by to a day from now, a week for review tasks). */
  async addTask(incidentId: string, request: AddTaskRequest): Promise<Task> {
    return this.runUpdate(incidentId, addTaskUpdate, [request]);
  }

  async resolveTask(incidentId: string, taskId: string, actor: string): Promise<Task> {
    return this.runUpdate(incidentId, resolveTaskUpdate, [{ taskId, actor }]);
  }

  async reopenTask(incidentId: string, taskId: string, actor: string): Promise<Task> {
    return this.runUpdate(incidentId, reopenTaskUpdate, [{ taskId, actor }]);
  }

  /** The incident's tasks, live (the stored ones once its workflow has ended). */
  async listTasks(incidentId: string): Promise<Task[]> {
    return (await this.get(incidentId)).tasks ?? [];
  }

  /**
   * Open incidents' tasks owned by or assigned to this person, live: the client has no database,
   * so it asks each open incident (visibility lists them). The API's GET /tasks reads the store.
   */
  async tasksFor(email: string, options: { limit?: number } = {}): Promise<TaskListItem[]> {
    const who = email.trim().toLowerCase();
    const open = await this.list({ status: ['Active', 'Stable'] }, options.limit ?? 200);
    const lists = await Promise.all(
      open.map(async (item) => {
        const tasks = await this.handle(item.id).query(listTasksQuery).catch(() => [] as Task[]);
        return tasks
          .filter((task) => task.owner === who || task.assignees.includes(who))
          .map((task): TaskListItem => ({ ...task, incidentId: item.id, incidentTitle: item.title }));
      }),
    );
    return lists.flat().sort((a, b) => (a.status === b.status ? a.resolveBy.localeCompare(b.resolveBy) : a.status === 'Open' ? -1 : 1));
  }

  /** Posts a tactical or executive report; returns it once the channel has it. */
  async postReport(incidentId: string, request: PostReportRequest): Promise<TacticalReport | ExecutiveReport> {
    return this.runUpdate(incidentId, postReportUpdate, [request]);
  }

  /** Moves the next tactical or executive report reminder out by 30, 60 or 120 minutes. */
  async snoozeReminder(incidentId: string, request: SnoozeReminderRequest): Promise<IncidentState> {
    return this.runUpdate(incidentId, snoozeReminderUpdate, [request]);
  }

  private handle(incidentId: string): WorkflowHandle<IncidentWorkflow> {
    if (!isIncidentId(incidentId)) throw new IncidentNotFoundError(incidentId);
    return this.temporal.workflow.getHandle<IncidentWorkflow>(incidentWorkflowId(incidentId));
  }

  /** Starts a new run of an ended incident that loads its state from the store. */
  private resumeOperation(ended: IncidentState): WithStartWorkflowOperation<IncidentWorkflow> {
    return new WithStartWorkflowOperation<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentWorkflowId(ended.id),
      taskQueue: this.taskQueue,
      args: [{ incidentId: ended.id, number: ended.number, settings: this.settings, resume: true }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: incidentSearchAttributes(ended),
      memo: incidentMemo(ended),
    });
  }
}
