/** JSON schemas of the REST API: they validate requests and are the OpenAPI document. */
import { INCIDENT_LIMITS, INCIDENT_STATUSES, PRIORITIES, ROLES, SEVERITIES, VISIBILITIES } from '../domain/incident';

const person = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string', format: 'email' }, name: { type: 'string', maxLength: 200 } },
} as const;

const timelineEvent = {
  type: 'object',
  required: ['seq', 'at', 'actor', 'kind', 'text'],
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    kind: { type: 'string', enum: ['declared', 'changed', 'status', 'role', 'note', 'resumed', 'resource', 'engagement', 'report', 'feedback', 'task', 'reminder'] },
    text: { type: 'string' },
    field: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
} as const;

const resource = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['pending', 'ready', 'failed'] },
    url: { type: 'string' },
    externalId: { type: 'string' },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const task = {
  type: 'object',
  required: ['id', 'description', 'owner', 'assignees', 'resolveBy', 'status'],
  properties: {
    id: { type: 'string', examples: ['T1'] },
    description: { type: 'string' },
    owner: { type: 'string' },
    assignees: { type: 'array', items: { type: 'string' } },
    resolveBy: { type: 'string', format: 'date-time' },
    review: { type: 'boolean' },
    status: { type: 'string', enum: ['Open', 'Resolved'] },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    resolvedAt: { type: 'string', format: 'date-time' },
    remindedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const report = {
  type: 'object',
  required: ['kind', 'author', 'at'],
  properties: {
    kind: { type: 'string', enum: ['tactical', 'executive'] },
    conditions: { type: 'string' },
    actions: { type: 'string' },
    needs: { type: 'string' },
    currentStatus: { type: 'string' },
    overview: { type: 'string' },
    nextSteps: { type: 'string' },
    author: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    documentUrl: { type: 'string' },
  },
} as const;

const recordProperties = {
  id: { type: 'string', examples: ['INC-42'] },
  number: { type: 'integer' },
  title: { type: 'string' },
  description: { type: 'string' },
  type: { type: 'string' },
  severity: { type: 'string', enum: SEVERITIES },
  priority: { type: 'string', enum: PRIORITIES },
  status: { type: 'string', enum: INCIDENT_STATUSES },
  visibility: { type: 'string', enum: VISIBILITIES },
  tags: { type: 'array', items: { type: 'string' } },
  reporter: person,
  commander: person,
  participants: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        ...person.properties,
        roles: { type: 'array', items: { type: 'string', enum: ROLES } },
        joinedAt: { type: 'string' },
        renouncedAt: { type: 'string', description: 'when closing renounced their roles' },
        previousRoles: { type: 'array', items: { type: 'string', enum: ROLES }, description: 'the roles they held at closing; restored on reopening' },
      },
    },
  },
  resources: { type: 'object', additionalProperties: resource },
  declaredAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  stableAt: { type: 'string', format: 'date-time' },
  closedAt: { type: 'string', format: 'date-time' },
  assembledAt: { type: 'string', format: 'date-time' },
  version: { type: 'integer' },
  feedback: {
    type: 'array',
    description: "participants' feedback; anonymous entries come without person",
    items: {
      type: 'object',
      properties: { person, rating: { type: 'integer' }, text: { type: 'string' }, anonymous: { type: 'boolean' }, submittedAt: { type: 'string', format: 'date-time' } },
    },
  },
  tasks: { type: 'array', items: task },
  reports: { type: 'object', properties: { tactical: report, executive: report } },
} as const;

export const taskSchema = task;
export const reportSchema = report;

export const incidentRecordSchema = { type: 'object', properties: recordProperties } as const;
export const incidentSchema = { type: 'object', properties: { ...recordProperties, timeline: { type: 'array', items: timelineEvent } } } as const;
export const timelineEventSchema = timelineEvent;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'invalid_field, invalid_transition, not_allowed, not_found, unauthorized, unavailable, internal' },
    message: { type: 'string', description: 'what went wrong and what to do' },
    field: { type: 'string', description: 'the request field that is wrong, for invalid_field' },
  },
} as const;

export const declareBodySchema = {
  type: 'object',
  required: ['title'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: INCIDENT_LIMITS.title },
    description: { type: 'string', maxLength: INCIDENT_LIMITS.description },
    type: { type: 'string' },
    severity: { type: 'string', enum: SEVERITIES },
    priority: { type: 'string', enum: PRIORITIES },
    visibility: { type: 'string', enum: VISIBILITIES },
    tags: { type: 'array', maxItems: INCIDENT_LIMITS.tags, items: { type: 'string', minLength: 1, maxLength: INCIDENT_LIMITS.tag } },
    reporter: { ...person, description: 'defaults to the caller when the caller is an email' },
    commander: { ...person, description: 'defaults to the reporter' },
  },
} as const;

export const changesBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: INCIDENT_LIMITS.title },
    description: { type: 'string', maxLength: INCIDENT_LIMITS.description },
    type: { type: 'string' },
    severity: { type: 'string', enum: SEVERITIES },
    priority: { type: 'string', enum: PRIORITIES },
    status: { type: 'string', enum: INCIDENT_STATUSES },
    visibility: { type: 'string', enum: VISIBILITIES },
    commander: person,
  },
} as const;

export const noteBodySchema = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: INCIDENT_LIMITS.note },
    at: { type: 'string', format: 'date-time', description: 'when it happened, if not now' },
  },
} as const;

const csv = (values?: readonly string[]) => ({
  type: 'string',
  description: `one value or several separated by commas${values ? `: ${values.join(', ')}` : ''}`,
});

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: csv(INCIDENT_STATUSES),
    severity: csv(SEVERITIES),
    priority: csv(PRIORITIES),
    type: csv(),
    commander: { type: 'string', description: "commander's email" },
    tag: { type: 'string' },
    q: { type: 'string', description: 'text in the title' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', description: 'nextCursor of the previous page' },
  },
} as const;

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'incident id, e.g. INC-42' } },
} as const;

export const subscriberBodySchema = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email' },
    name: { type: 'string', maxLength: 200 },
  },
} as const;

export const roleBodySchema = {
  type: 'object',
  required: ['action', 'role', 'email'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['assign', 'renounce'] },
    role: { type: 'string', enum: ROLES.filter((role) => role !== 'Reporter') },
    email: { type: 'string', format: 'email' },
    name: { type: 'string', maxLength: 200 },
  },
} as const;

export const feedbackBodySchema = {
  type: 'object',
  required: ['rating'],
  additionalProperties: false,
  properties: {
    rating: { type: 'integer', minimum: 1, maximum: 5, description: '1 (poor) to 5 (excellent)' },
    text: { type: 'string', maxLength: 4000 },
    anonymous: { type: 'boolean', default: false, description: 'hide who gave it' },
    person: { ...person, description: 'who gives it; defaults to the caller' },
  },
} as const;

export const engageOncallBodySchema = {
  type: 'object',
  required: ['service'],
  additionalProperties: false,
  properties: {
    service: { type: 'string', minLength: 1, maxLength: 200, description: 'a configured on-call service: its name or PagerDuty service id' },
    role: { type: 'string', enum: ROLES.filter((role) => role !== 'Reporter'), default: 'Participant' },
    page: { type: 'boolean', default: false, description: 'also page them through PagerDuty' },
  },
} as const;
