/**
 * Tickets in Jira Cloud through jira.js (REST v3). The incident's ticket carries the label
 * `muster-<incident id>`: ensureTicket searches by it before creating, so a retry after a
 * timeout finds the ticket the first attempt made. Links are remote links ("web links") keyed
 * by a globalId derived from the URL, which Jira updates in place when sent again.
 */
import { createHash } from 'node:crypto';
import { HttpException, Version3Client } from 'jira.js';
import { classifyStatus, retryAfterMs, VendorError } from '../errors';
import type { TicketProvider, TicketRef } from './types';

export interface JiraConfig {
  /** https://your-domain.atlassian.net */
  host: string;
  email: string;
  apiToken: string;
  projectKey: string;
  /** Issue type name for new tickets; default 'Task'. */
  issueType?: string;
  /** Where people open a ticket; default `${host}/browse/`. */
  browseUrl?: string;
  /** Per-request timeout; default 15 s. jira.js has none of its own. */
  timeoutMs?: number;
}

/** Jira labels cannot contain spaces. */
export const incidentLabel = (incidentId: string) => `muster-${incidentId.replace(/\s+/g, '-')}`;

const jqlString = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** Plain text as an ADF document (REST v3 accepts nothing else): blank lines split paragraphs. */
export function textToAdf(text: string) {
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim() !== '');
  return {
    type: 'doc' as const,
    version: 1 as const,
    content: paragraphs.map((paragraph) => ({
      type: 'paragraph',
      content: paragraph.split('\n').flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]),
    })),
  };
}

/** Remote-link globalIds are at most 255 characters; long URLs get a digest instead. */
const linkGlobalId = (url: string) => {
  const id = `muster-link=${url}`;
  return id.length <= 255 ? id : `muster-link-sha256=${createHash('sha256').update(url).digest('hex')}`;
};

interface AxiosLike {
  isAxiosError: true;
  code?: string;
  message: string;
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
}
const isAxiosLike = (value: unknown): value is AxiosLike => typeof value === 'object' && value !== null && (value as { isAxiosError?: unknown }).isAxiosError === true;

/** Jira's `{errorMessages: [], errors: {field: message}}` as one line. */
function describeJiraBody(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return typeof data === 'string' && data ? data.slice(0, 300) : undefined;
  const { errorMessages, errors } = data as { errorMessages?: unknown; errors?: unknown };
  const parts = [
    ...(Array.isArray(errorMessages) ? errorMessages.map(String) : []),
    ...(typeof errors === 'object' && errors !== null ? Object.entries(errors).map(([field, message]) => `${field}: ${String(message)}`) : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * jira.js throws an HttpException (cause: the AxiosError) for an HTTP answer and the bare
 * AxiosError for network failures; anything else is a bug and is rethrown untouched.
 */
export function jiraError(operation: string, err: unknown): unknown {
  if (err instanceof VendorError) return err;
  const axios = err instanceof HttpException ? err.cause : err;
  if (!isAxiosLike(axios)) return err;
  const response = axios.response;
  if (!response) return new VendorError('jira', operation, 'transient', `network error: ${axios.code ?? axios.message}`, { code: axios.code });
  const status = response.status;
  const kind = classifyStatus(status);
  const header = response.headers?.['retry-after'];
  const detail = describeJiraBody(response.data) ?? axios.message;
  return new VendorError('jira', operation, kind, `HTTP ${status}: ${detail}`, {
    status,
    ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs(typeof header === 'string' ? header : undefined) } : {}),
  });
}

export function jiraTicketProvider(config: JiraConfig): TicketProvider {
  const client = new Version3Client({
    host: config.host,
    authentication: { basic: { email: config.email, apiToken: config.apiToken } },
    baseRequestConfig: { timeout: config.timeoutMs ?? 15_000 },
  });
  const browseUrl = config.browseUrl ?? `${config.host.replace(/\/+$/, '')}/browse/`;
  const ref = (key: string): TicketRef => ({ key, url: `${browseUrl}${key}` });

  /** Runs one SDK call, turning its failure into a VendorError. */
  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw jiraError(operation, err);
    }
  }

  return {
    async ensureTicket(input) {
      const label = incidentLabel(input.incidentId);
      // The enhanced search (/rest/api/3/search/jql): Jira Cloud has retired /rest/api/3/search.
      const found = await call('searchIssues', () =>
        client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
          jql: `project = ${jqlString(config.projectKey)} AND labels = ${jqlString(label)} ORDER BY created ASC`,
          fields: ['summary'],
          maxResults: 1,
        }),
      );
      const existing = found.issues?.[0]?.key;
      if (existing) return ref(existing);

      const created = await call('createIssue', () =>
        client.issues.createIssue({
          fields: {
            project: { key: config.projectKey },
            issuetype: { name: config.issueType ?? 'Task' },
            summary: input.summary,
            description: textToAdf(input.description),
            labels: [...new Set([label, ...(input.labels ?? [])])],
          },
        }),
      );
      return ref(created.key);
    },

    async updateTicket(key, changes) {
      const fields: Record<string, unknown> = {};
      if (changes.summary !== undefined) fields.summary = changes.summary;
      if (changes.description !== undefined) fields.description = textToAdf(changes.description);
      // Independent writes: the edit and each link (keyed by its URL) go out together.
      await Promise.all([
        Object.keys(fields).length > 0 ? call('editIssue', () => client.issues.editIssue({ issueIdOrKey: key, fields })) : undefined,
        ...(changes.links ?? []).map((link) =>
          call('createOrUpdateRemoteIssueLink', () =>
            client.issueRemoteLinks.createOrUpdateRemoteIssueLink({
              issueIdOrKey: key,
              globalId: linkGlobalId(link.url),
              object: { url: link.url, title: link.title },
            }),
          ),
        ),
      ]);
    },

    async transition(key, to) {
      const category = to === 'resolved' ? 'done' : 'new';
      const issue = await call('getIssue', () => client.issues.getIssue({ issueIdOrKey: key, fields: ['status'] }));
      const current = (issue.fields.status as { statusCategory?: { key?: string } } | undefined)?.statusCategory?.key;
      if (current === category) return;
      const { transitions = [] } = await call('getTransitions', () => client.issues.getTransitions({ issueIdOrKey: key }));
      const transition = transitions.find((t) => t.to?.statusCategory?.key === category);
      if (!transition?.id) {
        throw new VendorError('jira', 'transition', 'permanent', `${key} has no transition to a status in category "${category}" (available: ${transitions.map((t) => t.name).join(', ') || 'none'})`);
      }
      await call('doTransition', () => client.issues.doTransition({ issueIdOrKey: key, transition: { id: transition.id } }));
    },

    async updateLabels(key, { add, remove }) {
      const ops = [...remove.map((label) => ({ remove: label })), ...add.map((label) => ({ add: label }))];
      if (ops.length === 0) return;
      await call('editIssue', () => client.issues.editIssue({ issueIdOrKey: key, update: { labels: ops } }));
    },
  };
}
