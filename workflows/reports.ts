/**
 * The postReport update: the report is checked, an executive one written as a document from
 * the type's template, kept as the latest of its kind (restarting its reminder clock), and
 * posted to the incident channel. The caller hears back once the channel has it.
 */
import { condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { IncidentState } from '../domain/incident';
import { applyReport, validateReport } from '../domain/reports';
import { briefOf } from '../domain/resources';
import { postReportUpdate } from './definitions';
import { checkedRule } from './reminders';

const vendor = proxyActivities<MusterActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 6 },
});

const now = () => new Date().toISOString();

const readyId = (incident: IncidentState, kind: string) => {
  const resource = incident.resources[kind];
  return resource?.status === 'ready' ? resource.externalId : undefined;
};

export function registerReportHandlers(current: () => IncidentState | undefined): void {
  setHandler(
    postReportUpdate,
    async (request) => {
      await condition(() => current() !== undefined);
      const incident = current()!;
      const report = checkedRule(() => validateReport(incident, request, now()));
      const brief = briefOf(incident);
      if (report.kind === 'executive') {
        const document = await vendor.writeExecutiveReport(brief, readyId(incident, 'folder'), report).catch((err: unknown) => {
          log.warn('Could not write the executive report document', { incidentId: incident.id, error: String(err) });
          return undefined;
        });
        if (document) report.documentUrl = document.url;
      }
      applyReport(incident, report);
      await vendor.postReportMessage(brief, readyId(incident, 'channel'), report).catch((err: unknown) => {
        log.warn('Could not post the report in the channel', { incidentId: incident.id, error: String(err) });
      });
      return report;
    },
    {
      validator: (request) => {
        const incident = current();
        if (incident) checkedRule(() => validateReport(incident, request, now()));
      },
    },
  );
}
