/**
 * Table definitions. `EntitySchema` rather than decorators: the test transform (@swc/jest)
 * emits no decorator metadata. Property names are camelCase; MikroORM's default naming
 * strategy turns them into snake_case columns (reporterEmail -> reporter_email).
 *
 * Timestamps are kept as the ISO 8601 strings the workflow produced (text columns): they come
 * back byte-for-byte, and UTC ISO strings of one format sort correctly as text.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { IncidentReports, Participant, ReminderClocks, Resource, Task } from '../domain/incident';

export interface IncidentRow {
  id: string;
  prefix: string;
  number: number;
  title: string;
  description: string;
  type: string;
  severity: string;
  priority: string;
  status: string;
  visibility: string;
  tags: string[];
  reporterEmail: string;
  reporterName: string | null;
  commanderEmail: string;
  commanderName: string | null;
  participants: Participant[];
  resources: Record<string, Resource>;
  declaredAt: string;
  updatedAt: string;
  stableAt: string | null;
  closedAt: string | null;
  assembledAt: string | null;
  version: number;
  tasks?: Task[] | null;
  reports?: IncidentReports | null;
  /** Kept so a snooze or a running clock survives the workflow ending and resuming from here. */
  reminders?: ReminderClocks | null;
}

export interface TimelineEventRow {
  incidentId: string;
  seq: number;
  at: string;
  actor: string;
  kind: string;
  text: string;
  field: string | null;
  fromValue: string | null;
  toValue: string | null;
}

export const IncidentEntity = new EntitySchema<IncidentRow>({
  name: 'IncidentRow',
  tableName: 'incidents',
  properties: {
    id: { type: 'string', columnType: 'text', primary: true },
    prefix: { type: 'string', columnType: 'text' },
    // The domain allows up to 10 digits (see isIncidentId), more than a 32-bit int holds.
    number: { type: new BigIntType('number'), index: 'incidents_number_idx' },
    title: { type: 'text' },
    description: { type: 'text' },
    type: { type: 'string', columnType: 'text' },
    severity: { type: 'string', columnType: 'text' },
    priority: { type: 'string', columnType: 'text' },
    status: { type: 'string', columnType: 'text', index: 'incidents_status_idx' },
    visibility: { type: 'string', columnType: 'text' },
    tags: { type: 'json' },
    reporterEmail: { type: 'string', columnType: 'text' },
    reporterName: { type: 'string', columnType: 'text', nullable: true },
    commanderEmail: { type: 'string', columnType: 'text' },
    commanderName: { type: 'string', columnType: 'text', nullable: true },
    participants: { type: 'json' },
    resources: { type: 'json' },
    declaredAt: { type: 'string', columnType: 'text' },
    updatedAt: { type: 'string', columnType: 'text' },
    stableAt: { type: 'string', columnType: 'text', nullable: true },
    closedAt: { type: 'string', columnType: 'text', nullable: true },
    assembledAt: { type: 'string', columnType: 'text', nullable: true },
    version: { type: 'integer' },
    tasks: { type: 'json', nullable: true },
    reports: { type: 'json', nullable: true },
    reminders: { type: 'json', nullable: true },
  },
  uniques: [{ name: 'incidents_prefix_number_unique', properties: ['prefix', 'number'] }],
  // The commander filter is case-insensitive, so index what it compares. Expression indexes
  // are diffed by name only, so updateSchema leaves this one alone once it exists.
  indexes: [
    {
      name: 'incidents_commander_email_idx',
      expression: 'create index "incidents_commander_email_idx" on "incidents" (lower("commander_email"))',
    },
  ],
});

export const TimelineEventEntity = new EntitySchema<TimelineEventRow>({
  name: 'TimelineEventRow',
  tableName: 'timeline_events',
  properties: {
    incidentId: { type: 'string', columnType: 'text', primary: true },
    seq: { type: 'integer', primary: true },
    at: { type: 'string', columnType: 'text' },
    actor: { type: 'string', columnType: 'text' },
    kind: { type: 'string', columnType: 'text' },
    text: { type: 'text' },
    field: { type: 'string', columnType: 'text', nullable: true },
    fromValue: { type: 'string', columnType: 'text', nullable: true },
    toValue: { type: 'string', columnType: 'text', nullable: true },
  },
});

/** One participant's feedback on an incident; a second submission replaces the first. */
export interface FeedbackRow {
  incidentId: string;
  email: string;
  name: string | null;
  rating: number;
  text: string | null;
  anonymous: boolean;
  submittedAt: string;
}

export const FeedbackEntity = new EntitySchema<FeedbackRow>({
  name: 'FeedbackRow',
  tableName: 'feedback',
  properties: {
    incidentId: { type: 'string', columnType: 'text', primary: true },
    email: { type: 'string', columnType: 'text', primary: true },
    name: { type: 'string', columnType: 'text', nullable: true },
    rating: { type: 'integer' },
    text: { type: 'text', nullable: true },
    anonymous: { type: 'boolean' },
    submittedAt: { type: 'string', columnType: 'text', index: 'feedback_submitted_at_idx' },
  },
});

export const ENTITIES = [IncidentEntity, TimelineEventEntity, FeedbackEntity];
