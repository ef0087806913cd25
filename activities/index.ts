/**
 * Activities: the workflow's only way to touch the world. Built from explicit dependencies so
 * tests and the worker wire them the same way. Every activity is idempotent.
 */
import type { IncidentRecord, IncidentState, TimelineEvent } from '../domain/incident';
import type { IncidentStore } from '../store';
import { createAssemblyActivities, type ResourceSettings } from './assembly';
import type { Providers } from './providers/types';

export interface ActivityDeps {
  store: IncidentStore;
  /** The vendors this deployment uses; none means incidents get no resources. */
  providers?: Partial<Providers>;
  resources?: ResourceSettings;
}

export const DEFAULT_RESOURCE_SETTINGS: ResourceSettings = {
  groupDomain: 'example.com',
  documentTemplates: {},
  defaultDocumentTemplate: 'tmpl-incident-doc',
};

export function createActivities({ store, providers = {}, resources = DEFAULT_RESOURCE_SETTINGS }: ActivityDeps) {
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

    ...createAssemblyActivities({ providers, resources }),
  };
}

export type MusterActivities = ReturnType<typeof createActivities>;
