/**
 * Engagement activities: evaluate the configuration's rules against an incident, look up who is
 * on call, add teams to the notifications group, page, check that a person exists, and keep
 * group memberships and the ticket in line with role changes. The configuration reaches the
 * workflow only through these results, so a config change never breaks a replay.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MusterFileConfig } from '../config/muster-config';
import { matchRules, type EngagementResolution, type EngagementSettings, type OncallServiceRef } from '../domain/engagement';
import type { IncidentLike } from '../domain/filters';
import type { Person } from '../domain/incident';
import { step } from './assembly';
import type { Providers } from './providers/types';

export interface EngagementDeps {
  providers: Partial<Providers>;
  config: MusterFileConfig;
}

export interface PageRequest {
  incidentId: string;
  serviceId: string;
  dedupKey: string;
  title: string;
  details: string;
  links: Array<{ href: string; text: string }>;
}

export function createEngagementActivities({ providers, config }: EngagementDeps) {
  const oncall = () => {
    if (!providers.oncall) throw ApplicationFailure.nonRetryable('no on-call provider (PagerDuty) is configured', 'NotConfigured');
    return providers.oncall;
  };

  /** Everyone at the lowest escalation level that has someone on call. */
  async function firstResponders(serviceId: string): Promise<Person[]> {
    const people = await oncall().currentOnCall(serviceId);
    const level = Math.min(...people.map((p) => p.level));
    return people.filter((p) => p.level === level).map(({ email, name }) => ({ email: email.toLowerCase(), name }));
  }

  return {
    /** The slice of configuration the incident workflow needs: services, paging priorities, role policy. */
    async engagementSettings(): Promise<EngagementSettings> {
      const services = new Map<string, OncallServiceRef>();
      for (const s of config.oncallServices) services.set(s.pagerdutyServiceId, { name: s.name, serviceId: s.pagerdutyServiceId });
      for (const type of config.incidentTypes) {
        for (const id of [type.commanderService, type.liaisonService]) if (id && !services.has(id)) services.set(id, { name: id, serviceId: id });
      }
      return {
        services: [...services.values()],
        pagingPriorities: config.priorities.filter((p) => p.pageCommander).map((p) => p.name),
        types: Object.fromEntries(config.incidentTypes.map((t) => [t.name, { commanderService: t.commanderService, liaisonService: t.liaisonService }])),
        roles: { ...config.roles },
      };
    },

    /** Who the rules match for the incident as it is now; matching services give their current on-call. */
    async resolveEngagement(incident: IncidentLike): Promise<EngagementResolution> {
      const matched = matchRules(config, incident);
      const services = providers.oncall ? matched.services : [];
      return step(async () => ({
        individuals: matched.individuals,
        teams: matched.teams,
        oncall: await Promise.all(services.map(async (service) => ({ service, people: await firstResponders(service.serviceId) }))),
      }));
    },

    /** The service's current on-call (lowest escalation level). */
    async currentOncall(serviceId: string): Promise<Person[]> {
      return step(() => firstResponders(serviceId));
    },

    async addTeamsToGroup(groupEmail: string, teams: string[]): Promise<void> {
      if (!providers.group || teams.length === 0) return;
      await step(() => providers.group!.addMembers(groupEmail, teams));
    },

    /** Sends one page; PagerDuty folds a resend with the same dedup key into the first one. */
    async page(request: PageRequest): Promise<{ id: string }> {
      return step(() => oncall().page(request));
    },

    /** Whether the person has a chat account; true when no chat is configured (nothing to check against). */
    async personExists(email: string): Promise<boolean> {
      const chat = providers.chat;
      if (!chat?.findUser) return true;
      return step(async () => (await chat.findUser!(email)) !== undefined);
    },

    /** The ticket shows who holds the leading roles, as labels (see roleLabels). */
    async updateTicketRoles(ticketKey: string, add: string[], remove: string[]): Promise<void> {
      if (!providers.ticket?.updateLabels) return;
      await step(() => providers.ticket!.updateLabels!(ticketKey, { add, remove }));
    },

    /** Someone left every role: out of the tactical group. */
    async removeFromTacticalGroup(groupEmail: string, emails: string[]): Promise<void> {
      if (!providers.group || emails.length === 0) return;
      await step(() => providers.group!.removeMembers(groupEmail, emails));
    },
  };
}

export type EngagementActivities = ReturnType<typeof createEngagementActivities>;
