/**
 * Activities: the workflow's only way to touch the world. Built from explicit dependencies so
 * tests and the worker wire them the same way. Every activity is idempotent.
 */
import type { FeedbackEntry, IncidentRecord, IncidentState, TimelineEvent } from '../domain/incident';
import type { IncidentStore } from '../store';
import { BUILT_IN_CONFIG, musterConfigSchema, type MusterFileConfig } from '../config/muster-config';
import { createAssemblyActivities, type ResourceSettings } from './assembly';
import { createDigestActivities } from './digests';
import { createTransitionActivities } from './transitions';
import { createEngagementActivities } from './engagement';
import { createNotificationActivities } from './notifications';
import type { Providers } from './providers/types';
import { createReminderActivities } from './reminders';
import { createReportActivities } from './reports';

export interface ActivityDeps {
  store: IncidentStore;
  /** The vendors this deployment uses; none means incidents get no resources. */
  providers?: Partial<Providers>;
  resources?: ResourceSettings;
  /** The validated incident configuration (rules, targets, types, priorities); built-in defaults without one. */
  config?: MusterFileConfig;
}

/** Dispatch's defaults, for deployments and tests that bring no configuration file. */
export const DEFAULT_MUSTER_CONFIG: MusterFileConfig = musterConfigSchema.parse(BUILT_IN_CONFIG);

/** The post-incident review template for types that name none (the sandbox has it). */
export const DEFAULT_REVIEW_TEMPLATE = 'tmpl-review-doc';

export const DEFAULT_RESOURCE_SETTINGS: ResourceSettings = {
  groupDomain: 'example.com',
  documentTemplates: {},
  defaultDocumentTemplate: 'tmpl-incident-doc',
};

export function createActivities({ store, providers = {}, resources = DEFAULT_RESOURCE_SETTINGS, config = DEFAULT_MUSTER_CONFIG }: ActivityDeps) {
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

    /** Keeps one person's feedback in the store (the incident record has it too). */
    async recordFeedback(incidentId: string, entry: FeedbackEntry): Promise<void> {
      await store.recordFeedback(incidentId, entry);
    },

    ...createTransitionActivities({ providers, config, defaultReviewTemplate: DEFAULT_REVIEW_TEMPLATE }),
    ...createDigestActivities({ store, providers, config }),
    ...createReminderActivities({ providers, store }),
    ...createReportActivities({ providers, config }),
    ...createEngagementActivities({ providers, config }),
    ...createNotificationActivities({ providers, config }),
  };
}

export type MusterActivities = ReturnType<typeof createActivities>;
