/**
 * Reports leave the workflow here: posted to the incident channel, and an executive report
 * also written as a document from the incident type's template into the incident folder.
 * Idempotent: the message and the document are keyed by the report's time.
 */
import type { ExecutiveReport, TacticalReport } from '../domain/incident';
import type { IncidentBrief } from '../domain/resources';
import { reportText } from '../domain/reports';
import type { MusterFileConfig } from '../config/muster-config';
import { toActivityFailure } from './errors';
import type { Providers } from './providers/types';

export interface ReportDeps {
  providers: Partial<Providers>;
  /** Executive report templates come from each incident type's `templates.executiveReport`. */
  config?: MusterFileConfig;
}

const compact = (iso: string) => iso.replace(/[^0-9]/g, '');

export function createReportActivities({ providers, config }: ReportDeps) {
  return {
    /** Posts the report in the channel; false when there is no channel to post to. */
    async postReportMessage(incident: IncidentBrief, channelId: string | undefined, report: TacticalReport | ExecutiveReport): Promise<{ posted: boolean }> {
      if (!providers.chat || !channelId) return { posted: false };
      try {
        await providers.chat.postMessage(channelId, { text: reportText(incident, report), dedupeKey: `report:${incident.id}:${report.kind}:${report.at}` });
      } catch (err) {
        throw toActivityFailure(err);
      }
      return { posted: true };
    },

    /** Writes the executive report as a document in the incident folder; undefined without a template, folder or Drive. */
    async writeExecutiveReport(incident: IncidentBrief, folderId: string | undefined, report: ExecutiveReport): Promise<{ url: string } | undefined> {
      const templateId = config?.incidentTypes.find((type) => type.name === incident.type)?.templates.executiveReport;
      if (!templateId || !folderId || !providers.document) return undefined;
      try {
        const document = await providers.document.ensureFromTemplate({
          incidentId: incident.id,
          kind: `executive-report-${compact(report.at)}`,
          templateId,
          name: `${incident.id}: executive report ${report.at.slice(0, 16).replace('T', ' ')}`,
          folderId,
        });
        await providers.document.fillIn(document.id, {
          id: incident.id,
          title: incident.title,
          current_status: report.currentStatus,
          overview: report.overview,
          next_steps: report.nextSteps,
          author: report.author,
          date: report.at,
        });
        return { url: document.url };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
