/**
 * Tasks: follow-up work on an incident, with an owner, assignees and a resolve-by time. Pure
 * rules: validation (run by the update validator, the client and the API) and how an accepted
 * change is applied, always with a 'task' timeline event.
 */
import type { IncidentState, Task } from './incident';
import { applyEvent, IncidentRuleError, validateDirector } from './rules';

const DAY_MS = 24 * 60 * 60 * 1000;
export const TASK_LIMITS = { description: 2_000, assignees: 20, tasks: 500 } as const;
export const DEFAULT_RESOLVE_BY_MS = DAY_MS;
export const REVIEW_RESOLVE_BY_MS = 7 * DAY_MS;

export interface AddTaskRequest {
  description: string;
  /** Email; defaults to the actor. */
  owner?: string;
  assignees?: string[];
  /** ISO 8601; defaults to a day from now (a week for review tasks). */
  resolveBy?: string;
  review?: boolean;
  actor: string;
  /** Refuse (not_allowed, field actor) unless the actor is the incident's commander or one of its scribes. */
  requireDirector?: boolean;
}

export interface TaskActionRequest {
  taskId: string;
  actor: string;
}

/** A task with the incident it belongs to, for per-person lists. */
export interface TaskListItem extends Task {
  incidentId: string;
  incidentTitle: string;
}

const invalid = (field: string, message: string) => new IncidentRuleError('invalid_field', message, field);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function email(field: string, value: unknown): string {
  if (typeof value !== 'string' || !EMAIL.test(value.trim())) throw invalid(field, `${field} must be an email address (got ${JSON.stringify(value)})`);
  return value.trim().toLowerCase();
}

/** Checks a new task and fills in the defaults; `at` is now (the workflow's clock). */
export function validateAddTask(incident: IncidentState, request: AddTaskRequest, at: string): Omit<Task, 'id'> {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'a task needs a description');
  if (typeof request.description !== 'string' || request.description.trim() === '') throw invalid('description', 'description must not be empty');
  const description = request.description.trim();
  if (description.length > TASK_LIMITS.description) throw invalid('description', `description must be at most ${TASK_LIMITS.description} characters (got ${description.length})`);
  if (typeof request.actor !== 'string' || request.actor.trim() === '') throw invalid('actor', 'actor must not be empty');
  if (request.requireDirector !== undefined && typeof request.requireDirector !== 'boolean') throw invalid('requireDirector', 'requireDirector must be true or false');
  if (request.requireDirector) validateDirector(incident, request.actor, 'add tasks');
  const owner = request.owner === undefined ? request.actor.trim().toLowerCase() : email('owner', request.owner);
  if (request.assignees !== undefined && !Array.isArray(request.assignees)) throw invalid('assignees', 'assignees must be a list of email addresses');
  const assignees = [...new Set((request.assignees ?? []).map((a, i) => email(`assignees[${i}]`, a)))];
  if (assignees.length > TASK_LIMITS.assignees) throw invalid('assignees', `at most ${TASK_LIMITS.assignees} assignees`);
  if (request.review !== undefined && typeof request.review !== 'boolean') throw invalid('review', 'review must be true or false');
  const review = request.review ?? false;
  let resolveBy: string;
  if (request.resolveBy === undefined) {
    resolveBy = new Date(Date.parse(at) + (review ? REVIEW_RESOLVE_BY_MS : DEFAULT_RESOLVE_BY_MS)).toISOString();
  } else {
    if (typeof request.resolveBy !== 'string' || Number.isNaN(Date.parse(request.resolveBy))) throw invalid('resolveBy', 'resolveBy must be an ISO 8601 timestamp');
    resolveBy = new Date(request.resolveBy).toISOString();
  }
  if (incident.status === 'Closed') throw new IncidentRuleError('invalid_transition', `${incident.id} is Closed; reopen it before adding tasks`, 'status');
  if ((incident.tasks?.length ?? 0) >= TASK_LIMITS.tasks) throw new IncidentRuleError('invalid_transition', `${incident.id} already has ${TASK_LIMITS.tasks} tasks`, 'tasks');
  const task: Omit<Task, 'id'> = { description, owner, assignees, resolveBy, status: 'Open', createdAt: at, createdBy: request.actor.trim() };
  if (review) task.review = true;
  return task;
}

export function applyAddTask(incident: IncidentState, task: Omit<Task, 'id'>, at: string): Task {
  const tasks = (incident.tasks ??= []);
  const added: Task = { id: `T${tasks.length + 1}`, ...task };
  tasks.push(added);
  const people = [added.owner, ...added.assignees.filter((a) => a !== added.owner)].join(', ');
  applyEvent(incident, { at, actor: task.createdBy, kind: 'task', field: added.id, to: 'Open', text: `${task.createdBy} added task ${added.id} for ${people}, resolve by ${added.resolveBy}: ${added.description}` });
  return added;
}

/** Finds the task a resolve or reopen names, refusing one already in the wanted status. */
export function validateTaskAction(incident: IncidentState, request: TaskActionRequest, to: Task['status']): Task {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'name the task by taskId');
  if (typeof request.actor !== 'string' || request.actor.trim() === '') throw invalid('actor', 'actor must not be empty');
  const id = typeof request.taskId === 'string' ? request.taskId.trim().toUpperCase() : '';
  const task = incident.tasks?.find((t) => t.id === id);
  if (!task) throw invalid('taskId', `${incident.id} has no task ${JSON.stringify(request.taskId)}${incident.tasks?.length ? `; its tasks are ${incident.tasks.map((t) => t.id).join(', ')}` : ''}`);
  if (task.status === to) throw new IncidentRuleError('invalid_transition', `task ${task.id} of ${incident.id} is already ${to}`, 'taskId');
  if (incident.status === 'Closed') throw new IncidentRuleError('invalid_transition', `${incident.id} is Closed; reopen it before changing its tasks`, 'status');
  return task;
}

export function applyTaskStatus(incident: IncidentState, taskId: string, to: Task['status'], actor: string, at: string): Task {
  const task = incident.tasks!.find((t) => t.id === taskId)!;
  task.status = to;
  if (to === 'Resolved') task.resolvedAt = at;
  else {
    delete task.resolvedAt;
    // A reopened task nags again only from its resolve-by (or a day after the last nag).
  }
  applyEvent(incident, { at, actor, kind: 'task', field: task.id, to, text: `${actor} ${to === 'Resolved' ? 'resolved' : 'reopened'} task ${task.id}: ${task.description}` });
  return task;
}

/** Who an overdue task reminds. */
export function taskPeople(task: Task): string[] {
  return [...new Set([task.owner, ...task.assignees])];
}
