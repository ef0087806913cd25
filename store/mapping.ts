/**
 * Domain objects <-> rows. Every column is written on every upsert (absent optional fields as
 * NULL), so a newer version clears what it no longer has (e.g. closedAt after a reopen); on the
 * way back NULL becomes an absent property, never `null`, so a round trip is exact.
 */
import type { IncidentRecord, Person, TimelineEvent } from '../domain/incident';
import type { IncidentRow, TimelineEventRow } from './entities';

/** 'INC-42' -> 'INC': the part before the last dash. */
export function incidentPrefix(id: string): string {
  const dash = id.lastIndexOf('-');
  return dash > 0 ? id.slice(0, dash) : id;
}

export function toIncidentRow(incident: IncidentRecord): IncidentRow {
  return {
    id: incident.id,
    prefix: incidentPrefix(incident.id),
    number: incident.number,
    title: incident.title,
    description: incident.description,
    type: incident.type,
    severity: incident.severity,
    priority: incident.priority,
    status: incident.status,
    visibility: incident.visibility,
    tags: incident.tags,
    reporterEmail: incident.reporter.email,
    reporterName: incident.reporter.name ?? null,
    commanderEmail: incident.commander.email,
    commanderName: incident.commander.name ?? null,
    participants: incident.participants,
    resources: incident.resources,
    declaredAt: incident.declaredAt,
    updatedAt: incident.updatedAt,
    stableAt: incident.stableAt ?? null,
    closedAt: incident.closedAt ?? null,
    assembledAt: incident.assembledAt ?? null,
    version: incident.version,
    tasks: incident.tasks ?? null,
    reports: incident.reports ?? null,
    reminders: incident.reminders ?? null,
  };
}

export function fromIncidentRow(row: IncidentRow): IncidentRecord {
  const record: IncidentRecord = {
    id: row.id,
    number: row.number,
    title: row.title,
    description: row.description,
    // The columns hold only values written from these same typed fields.
    type: row.type,
    severity: row.severity as IncidentRecord['severity'],
    priority: row.priority as IncidentRecord['priority'],
    status: row.status as IncidentRecord['status'],
    visibility: row.visibility as IncidentRecord['visibility'],
    tags: row.tags,
    reporter: person(row.reporterEmail, row.reporterName),
    commander: person(row.commanderEmail, row.commanderName),
    participants: row.participants,
    resources: row.resources,
    declaredAt: row.declaredAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
  if (row.stableAt !== null) record.stableAt = row.stableAt;
  if (row.closedAt !== null) record.closedAt = row.closedAt;
  if (row.assembledAt !== null) record.assembledAt = row.assembledAt;
  if (row.tasks) record.tasks = row.tasks;
  if (row.reports) record.reports = row.reports;
  if (row.reminders) record.reminders = row.reminders;
  return record;
}

function person(email: string, name: string | null): Person {
  return name === null ? { email } : { email, name };
}

export function toTimelineRow(incidentId: string, event: TimelineEvent): TimelineEventRow {
  return {
    incidentId,
    seq: event.seq,
    at: event.at,
    actor: event.actor,
    kind: event.kind,
    text: event.text,
    field: event.field ?? null,
    fromValue: event.from ?? null,
    toValue: event.to ?? null,
  };
}

export function fromTimelineRow(row: TimelineEventRow): TimelineEvent {
  const event: TimelineEvent = {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind as TimelineEvent['kind'],
    text: row.text,
  };
  if (row.field !== null) event.field = row.field;
  if (row.fromValue !== null) event.from = row.fromValue;
  if (row.toValue !== null) event.to = row.toValue;
  return event;
}
