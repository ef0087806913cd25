/**
 * Reports: the tactical report (conditions, actions, needs) for responders and the executive
 * report (current status, overview, next steps) for leadership. The incident keeps the latest
 * of each; posting one restarts its reminder clock and goes to the timeline as kind 'report'.
 */
import type { ExecutiveReport, IncidentState, ReportKind, TacticalReport } from './incident';
import { restartReportClock } from './reminders';
import { applyEvent, IncidentRuleError } from './rules';

export const REPORT_FIELD_LIMIT = 4_000;

export type PostReportRequest =
  | { kind: 'tactical'; conditions: string; actions: string; needs: string; actor: string }
  | { kind: 'executive'; currentStatus: string; overview: string; nextSteps: string; actor: string };

export const REPORT_FIELDS: Record<ReportKind, readonly string[]> = {
  tactical: ['conditions', 'actions', 'needs'],
  executive: ['currentStatus', 'overview', 'nextSteps'],
};

const invalid = (field: string, message: string) => new IncidentRuleError('invalid_field', message, field);

/** Checks a report; `at` is now (the workflow's clock). */
export function validateReport(incident: IncidentState, request: PostReportRequest, at: string): TacticalReport | ExecutiveReport {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'a report needs kind and its fields');
  const kind = request.kind;
  if (kind !== 'tactical' && kind !== 'executive') throw invalid('kind', `kind must be one of tactical, executive (got ${JSON.stringify(kind)})`);
  if (typeof request.actor !== 'string' || request.actor.trim() === '') throw invalid('actor', 'actor must not be empty');
  const values: Record<string, string> = {};
  for (const field of REPORT_FIELDS[kind]) {
    const value = (request as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.trim() === '') throw invalid(field, `${field} must not be empty`);
    if (value.trim().length > REPORT_FIELD_LIMIT) throw invalid(field, `${field} must be at most ${REPORT_FIELD_LIMIT} characters`);
    values[field] = value.trim();
  }
  if (incident.status === 'Closed') throw new IncidentRuleError('invalid_transition', `${incident.id} is Closed; reopen it before posting reports`, 'status');
  const author = request.actor.trim();
  return kind === 'tactical'
    ? { kind, conditions: values.conditions!, actions: values.actions!, needs: values.needs!, author, at }
    : { kind, currentStatus: values.currentStatus!, overview: values.overview!, nextSteps: values.nextSteps!, author, at };
}

export function applyReport(incident: IncidentState, report: TacticalReport | ExecutiveReport): void {
  const reports = (incident.reports ??= {});
  if (report.kind === 'tactical') reports.tactical = report;
  else reports.executive = report;
  restartReportClock(incident, report.kind, report.at);
  applyEvent(incident, { at: report.at, actor: report.author, kind: 'report', field: report.kind, text: `${report.author} posted a ${report.kind} report` });
}

/** The channel message of a report (Slack mrkdwn). */
export function reportText(incident: Pick<IncidentState, 'id' | 'title'>, report: TacticalReport | ExecutiveReport): string {
  if (report.kind === 'tactical') {
    return [
      `*Tactical report* for ${incident.id}: ${incident.title} (by ${report.author})`,
      `*Conditions:* ${report.conditions}`,
      `*Actions:* ${report.actions}`,
      `*Needs:* ${report.needs}`,
    ].join('\n');
  }
  return [
    `*Executive report* for ${incident.id}: ${incident.title} (by ${report.author})`,
    `*Current status:* ${report.currentStatus}`,
    `*Overview:* ${report.overview}`,
    `*Next steps:* ${report.nextSteps}`,
    ...(report.documentUrl ? [`*Document:* ${report.documentUrl}`] : []),
  ].join('\n');
}
