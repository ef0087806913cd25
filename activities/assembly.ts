/**
 * Activities that make an incident's resources and keep them in sync. Each one is idempotent
 * (the providers find what an earlier attempt made) and runs independent vendor calls
 * concurrently, so a step costs its longest chain of calls, not their sum.
 */
import type { Resource } from '../domain/incident';
import {
  RESOURCE_KINDS,
  channelName,
  channelPurpose,
  channelTopic,
  essentialsText,
  groupEmail,
  RESOURCE_LABELS,
  readyLinks,
  ticketSummary,
  type IncidentBrief,
  type ResourceKind,
} from '../domain/resources';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from './errors';
import type { Providers } from './providers/types';

export interface ResourceSettings {
  /** Google Workspace domain for the incident's groups. */
  groupDomain: string;
  /** Incident document template (a Drive file id) per incident type, and the fallback. */
  documentTemplates: Record<string, string>;
  defaultDocumentTemplate: string;
}

export interface AssemblyDeps {
  /** Only the capabilities this deployment has; resources of the others are not planned. */
  providers: Partial<Providers>;
  resources: ResourceSettings;
}

/** The capabilities each resource needs. */
const CAPABILITIES: Record<ResourceKind, ReadonlyArray<keyof Providers>> = {
  ticket: ['ticket'],
  tacticalGroup: ['group'],
  notificationsGroup: ['group'],
  channel: ['chat'],
  folder: ['storage'],
  conference: ['conference'],
  document: ['document', 'storage'],
};

type Resources = Record<string, Resource>;

const ready = (url: string | undefined, externalId: string): Resource => ({ status: 'ready', url, externalId });

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called directly, outside a worker
  }
}

/**
 * Runs one step's vendor calls. Vendor errors become the failures Temporal acts on (retry,
 * wait, or stop this step). A heartbeat every second lets Temporal notice a dead worker within
 * the heartbeat timeout instead of waiting out the whole step's timeout.
 */
export async function step<T>(work: () => Promise<T>): Promise<T> {
  const context = activityContext();
  const beat = context ? setInterval(() => context.heartbeat(), 1_000) : undefined;
  try {
    return await work();
  } catch (err) {
    throw toActivityFailure(err);
  } finally {
    clearInterval(beat);
  }
}

const fileName = (incident: IncidentBrief) => `${incident.id}: ${incident.title}`;

const idOf = (resources: Resources, kind: ResourceKind) => (resources[kind]?.status === 'ready' ? resources[kind].externalId : undefined);

export function createAssemblyActivities({ providers, resources: settings }: AssemblyDeps) {
  // Planning keeps calls away from capabilities that are not configured; this is the backstop.
  const use = <K extends keyof Providers>(capability: K): Providers[K] => {
    const provider = providers[capability];
    if (!provider) throw ApplicationFailure.nonRetryable(`no ${capability} provider is configured`, 'NotConfigured');
    return provider as Providers[K];
  };

  return {
    /** Which resources this deployment makes for an incident (those whose vendors are configured). */
    async planResources(_incident: IncidentBrief): Promise<ResourceKind[]> {
      return RESOURCE_KINDS.filter((kind) => CAPABILITIES[kind].every((capability) => providers[capability] !== undefined));
    },

    async createTicket(incident: IncidentBrief): Promise<Resource> {
      return step(async () => {
        const made = await use('ticket').ensureTicket({
          incidentId: incident.id,
          summary: ticketSummary(incident),
          description: incident.description || incident.title,
          labels: ['incident', `priority-${incident.priority.toLowerCase()}`],
        });
        return ready(made.url, made.key);
      });
    },

    async createTacticalGroup(incident: IncidentBrief): Promise<Resource> {
      return step(async () => {
        const made = await use('group').ensureGroup({
          email: groupEmail(incident.id, settings.groupDomain, 'tactical'),
          name: `${incident.id} tactical`,
          description: `People working on ${incident.id}: ${incident.title}`.slice(0, 300),
        });
        await use('group').addMembers(made.email, [...new Set([incident.commander.email, incident.reporter.email])]);
        return ready(`mailto:${made.email}`, made.email);
      });
    },

    async createNotificationsGroup(incident: IncidentBrief): Promise<Resource> {
      return step(async () => {
        const made = await use('group').ensureGroup({
          email: groupEmail(incident.id, settings.groupDomain, 'notifications'),
          name: `${incident.id} notifications`,
          description: `Following ${incident.id}: ${incident.title}`.slice(0, 300),
        });
        return ready(`mailto:${made.email}`, made.email);
      });
    },

    async createChannel(incident: IncidentBrief): Promise<Resource> {
      return step(async () => {
        const channel = await use('chat').ensureChannel({ name: channelName(incident.id), private: incident.visibility === 'Restricted' });
        await Promise.all([
          use('chat').setTopic(channel.id, channelTopic(incident)),
          use('chat').setPurpose(channel.id, channelPurpose(incident)),
          use('chat').inviteByEmail(channel.id, [...new Set([incident.commander.email, incident.reporter.email])]),
        ]);
        return ready(channel.url, channel.id);
      });
    },

    /** Shared with the incident's groups, where this deployment has groups. */
    async createFolder(incident: IncidentBrief, groups: { tactical?: string; notifications?: string }): Promise<Resource> {
      return step(async () => {
        const folder = await use('storage').ensureFolder({ incidentId: incident.id, name: fileName(incident) });
        const grants = [
          groups.tactical && { email: groups.tactical, type: 'group' as const, role: 'writer' as const },
          groups.notifications && { email: groups.notifications, type: 'group' as const, role: 'reader' as const },
        ].filter((grant) => !!grant);
        await Promise.all(grants.map((grant) => use('storage').share(folder.id, grant)));
        return ready(folder.url, folder.id);
      });
    },

    /** Invites the tactical group, or the commander where there are no groups. */
    async createConference(incident: IncidentBrief, tacticalGroup?: string): Promise<Resource> {
      return step(async () => {
        const made = await use('conference').ensureConference({
          incidentId: incident.id,
          title: `${incident.id}: ${incident.title}`,
          description: `Bridge for ${incident.id}.`,
          attendees: [tacticalGroup ?? incident.commander.email],
        });
        return ready(made.url, made.id);
      });
    },

    async createDocument(incident: IncidentBrief, folderId: string): Promise<Resource> {
      return step(async () => {
        const templateId = settings.documentTemplates[incident.type] ?? settings.defaultDocumentTemplate;
        const made = await use('document').ensureFromTemplate({
          incidentId: incident.id,
          kind: 'incident',
          templateId,
          name: fileName(incident),
          folderId,
        });
        return ready(made.url, made.id);
      });
    },

    /**
     * Ties the resources together once they exist: links on the ticket, the document filled
     * in, bookmarks and the essentials in the channel.
     * Safe to run again after a retried resource: only what is missing gets added.
     */
    async finishAssembly(incident: IncidentBrief, resources: Resources, recovered: ResourceKind[] = []): Promise<void> {
      await step(async () => {
        const links = readyLinks(resources);
        const url = (kind: ResourceKind) => links.find((link) => link.kind === kind)?.url;
        const work: Array<Promise<unknown>> = [];
        const ticketKey = idOf(resources, 'ticket');
        if (ticketKey) work.push(use('ticket').updateTicket(ticketKey, { links: links.filter((link) => link.kind !== 'ticket') }));

        const documentId = idOf(resources, 'document');
        if (documentId) {
          // Fill only what exists, so a resource that comes later can still be filled in.
          const values: Record<string, string> = {
            id: incident.id,
            title: incident.title,
            description: incident.description,
            priority: incident.priority,
            severity: incident.severity,
            commander: incident.commander.name ?? incident.commander.email,
          };
          for (const [placeholder, kind] of [['channel', 'channel'], ['ticket', 'ticket'], ['conference', 'conference']] as const) {
            const link = url(kind);
            if (link) values[placeholder] = link;
          }
          work.push(use('document').fillIn(documentId, values));
        }

        const channelId = idOf(resources, 'channel');
        if (channelId) {
          for (const link of links.filter((l) => l.kind !== 'channel' && !l.url.startsWith('mailto:'))) {
            work.push(use('chat').ensureBookmark(channelId, { title: link.title, link: link.url }));
          }
          work.push(use('chat').postMessage(channelId, { text: essentialsText(incident, resources), dedupeKey: 'essentials' }));
          for (const kind of recovered.filter((k) => url(k))) {
            work.push(use('chat').postMessage(channelId, { text: `${RESOURCE_LABELS[kind]} is ready: ${url(kind)}`, dedupeKey: `ready-${kind}` }));
          }
          // Welcomes (commander, reporter and everyone who joins later) come from the notifier.
        }
        await Promise.all(work);
      });
    },

    /** Tells the commander a resource could not be made: in the channel, or by email without one. */
    async reportResourceFailure(incident: IncidentBrief, resources: Resources, kind: ResourceKind): Promise<void> {
      await step(async () => {
        const failed = resources[kind];
        const attempt = failed?.attempts ?? 1;
        const text =
          `${RESOURCE_LABELS[kind]} for ${incident.id} could not be made: ${failed?.error ?? 'unknown error'}. ` +
          `Fix the cause, then retry it: \`muster resources retry ${incident.id} ${kind}\`.`;
        const dedupeKey = `failed-${kind}-${attempt}`;
        const channelId = idOf(resources, 'channel');
        if (channelId) await use('chat').postMessage(channelId, { text, dedupeKey });
        else await use('email').send({ to: [incident.commander.email], subject: `${incident.id}: ${RESOURCE_LABELS[kind]} failed`, text, dedupeKey: `${incident.id}-${dedupeKey}` });
      });
    },

    /**
     * Brings topic, ticket, channel state and memberships in line with the incident after a
     * change. `people` (everyone with a role) are invited to the channel and the tactical group.
     */
    async syncResources(incident: IncidentBrief, resources: Resources, people: string[] = []): Promise<void> {
      await step(async () => {
        const work: Array<Promise<unknown>> = [];
        const channelId = idOf(resources, 'channel');
        if (channelId) {
          if (incident.status === 'Closed') work.push(use('chat').archive(channelId));
          else {
            work.push(
              use('chat')
                .unarchive(channelId)
                .then(() => Promise.all([use('chat').setTopic(channelId, channelTopic(incident)), people.length ? use('chat').inviteByEmail(channelId, people) : undefined])),
            );
          }
        }
        const tacticalGroup = idOf(resources, 'tacticalGroup');
        if (tacticalGroup && people.length) work.push(use('group').addMembers(tacticalGroup, people));
        for (const kind of ['folder', 'document'] as const) {
          const fileId = idOf(resources, kind);
          if (fileId) work.push(use('storage').rename(fileId, `${incident.id}: ${incident.title}`));
        }
        const ticketKey = idOf(resources, 'ticket');
        if (ticketKey) {
          work.push(use('ticket').updateTicket(ticketKey, { summary: ticketSummary(incident), description: incident.description || incident.title }));
          work.push(use('ticket').transition(ticketKey, incident.status === 'Closed' ? 'resolved' : 'open'));
        }
        await Promise.all(work);
      });
    },
  };
}

export type AssemblyActivities = ReturnType<typeof createAssemblyActivities>;
