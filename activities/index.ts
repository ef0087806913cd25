/**
 * Activities: the workflow's only way to touch the world. Built from explicit dependencies so
 * tests and the worker wire them the same way. Every activity is idempotent.
 */
import type { IncidentRecord, IncidentState, TimelineEvent } from '../domain/incident';
import type { IncidentStore } from '../store';

export interface ActivityDeps {
  store: IncidentStore;
}

export function createActivities({ store }: ActivityDeps) {
  return {
    /** Writes the incident's newest version and its new timeline events; a stale write is ignored. */
    async recordIncident(incident: IncidentRecord, timeline: TimelineEvent[]): Promise<{ applied: boolean }> {
      return store.recordIncident(incident, timeline);
    },

    async loadIncident(incidentId: string): Promise<IncidentState | null> {
      return store.getIncident(incidentId);
    },

    async highestIncidentNumber(prefix: string): Promise<number> {
      return store.highestIncidentNumber(prefix);
    },
  };
}

export type MusterActivities = ReturnType<typeof createActivities>;
