/**
 * Jira Cloud REST v3 emulator: the issue, transition, search and remote-link endpoints Muster
 * uses, answering with Jira's shapes and Jira's validation errors so jira.js behaves as it would
 * against a real site. Descriptions are Atlassian Document Format (ADF), as v3 requires.
 */
import type { Ids, SandboxRequest, SandboxResponse, VendorModule, ViewSection } from './core';
import type { SandboxFixture } from './fixture';

interface StatusCategory {
  id: number;
  key: 'new' | 'indeterminate' | 'done';
  colorName: string;
  name: string;
}

interface Status {
  id: string;
  name: string;
  category: StatusCategory;
}

const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
} satisfies Record<string, StatusCategory>;

const STATUSES: Status[] = [
  { id: '10000', name: 'To Do', category: CATEGORIES.new },
  { id: '3', name: 'In Progress', category: CATEGORIES.indeterminate },
  { id: '10001', name: 'Done', category: CATEGORIES.done },
];

/** A simplified ("team-managed") workflow: every status can be reached from every other. */
const TRANSITIONS = [
  { id: '11', name: 'To Do', statusId: '10000' },
  { id: '21', name: 'In Progress', statusId: '3' },
  { id: '31', name: 'Done', statusId: '10001' },
];

interface RemoteLink {
  id: number;
  globalId?: string;
  relationship?: string;
  object: { url: string; title: string; summary?: string };
}

interface Issue {
  id: string;
  key: string;
  issueTypeId: string;
  summary: string;
  description: unknown;
  labels: string[];
  statusId: string;
  created: string;
  updated: string;
  remoteLinks: RemoteLink[];
}

/** Jira's answer shape for every client error. */
const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): SandboxResponse => ({
  status,
  body: { errorMessages, errors },
});

const NOT_FOUND = jiraError(404, ['Issue does not exist or you do not have permission to see it.']);

/** Plain text of an ADF document, for the page. */
export function adfToText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === 'text') return n.text ?? '';
  const inner = (n.content ?? []).map(adfToText).join(n.type === 'doc' ? '\n' : '');
  return n.type === 'hardBreak' ? '\n' : inner;
}

const isAdfDoc = (value: unknown) =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'doc' && Array.isArray((value as { content?: unknown }).content);

export function jiraModule(fixture: SandboxFixture, _ids: Ids): VendorModule {
  const project = fixture.jira;
  let issues: Issue[] = [];
  let nextIssue = 1;
  let nextLinkId = 10000;

  const reset = () => {
    issues = [];
    nextIssue = 1;
    nextLinkId = 10000;
  };

  const base = (request: SandboxRequest) => `http://${request.headers.host ?? '127.0.0.1'}`;
  const find = (idOrKey: string) => issues.find((i) => i.key === idOrKey.toUpperCase() || i.id === idOrKey);
  const statusOf = (issue: Issue) => STATUSES.find((s) => s.id === issue.statusId)!;

  const authorized = (request: SandboxRequest) => {
    const { email, apiToken } = fixture.credentials.jira;
    return request.headers.authorization === `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  };

  const statusJson = (status: Status, root: string) => ({
    self: `${root}/rest/api/3/status/${status.id}`,
    description: '',
    iconUrl: `${root}/images/icons/status_generic.gif`,
    name: status.name,
    id: status.id,
    statusCategory: { self: `${root}/rest/api/3/statuscategory/${status.category.id}`, ...status.category },
  });

  function issueJson(issue: Issue, root: string, wanted?: string[]) {
    const issueType = project.issueTypes.find((t) => t.id === issue.issueTypeId)!;
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      labels: issue.labels,
      status: statusJson(statusOf(issue), root),
      issuetype: { self: `${root}/rest/api/3/issuetype/${issueType.id}`, id: issueType.id, name: issueType.name, subtask: false },
      project: { self: `${root}/rest/api/3/project/${project.projectId}`, id: project.projectId, key: project.projectKey, name: project.projectKey },
      created: issue.created,
      updated: issue.updated,
    };
    const everything = !wanted || wanted.some((f) => f === '*all' || f === '*navigable');
    const fields = everything ? all : Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: `${root}/rest/api/3/issue/${issue.id}`, key: issue.key, fields };
  }

  /** Checks the fields Muster sets, the way Jira words its complaints. */
  function checkFields(fields: Record<string, unknown>, creating: boolean): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const name of Object.keys(fields)) {
      if (!['project', 'issuetype', 'summary', 'description', 'labels'].includes(name)) {
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      }
    }
    if (creating || 'summary' in fields) {
      const summary = fields.summary;
      if (typeof summary !== 'string' || summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
      else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    }
    if ('description' in fields && fields.description !== null && !isAdfDoc(fields.description)) {
      errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
    }
    if ('labels' in fields) {
      const labels = fields.labels;
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) errors.labels = 'Labels must be an array of strings.';
      else {
        const bad = labels.find((l: string) => /\s/.test(l) || l.length > 255);
        if (bad !== undefined) errors.labels = `The label '${bad}' contains spaces which is invalid.`;
      }
    }
    return errors;
  }

  function createIssue(request: SandboxRequest): SandboxResponse {
    const fields = ((request.body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {}) as Record<string, unknown>;
    const errors = checkFields(fields, true);
    const projectRef = fields.project as { key?: string; id?: string } | undefined;
    if (!projectRef || (projectRef.key === undefined && projectRef.id === undefined)) errors.project = 'Specify a valid project ID or key';
    else if (projectRef.key !== project.projectKey && projectRef.id !== project.projectId) errors.project = 'valid project is required';
    const typeRef = fields.issuetype as { id?: string; name?: string } | undefined;
    const issueType = project.issueTypes.find((t) => t.id === typeRef?.id || t.name === typeRef?.name);
    if (!typeRef) errors.issuetype = 'Specify an issue type';
    else if (!issueType) errors.issuetype = 'Specify a valid issue type';
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);

    const n = nextIssue++;
    const now = new Date().toISOString().replace('Z', '+0000');
    const issue: Issue = {
      id: String(10000 + n),
      key: `${project.projectKey}-${n}`,
      issueTypeId: issueType!.id,
      summary: fields.summary as string,
      description: fields.description ?? null,
      labels: [...new Set((fields.labels as string[] | undefined) ?? [])],
      statusId: STATUSES[0]!.id,
      created: now,
      updated: now,
      remoteLinks: [],
    };
    issues.push(issue);
    return { status: 201, body: { id: issue.id, key: issue.key, self: `${base(request)}/rest/api/3/issue/${issue.id}` } };
  }

  function editIssue(request: SandboxRequest): SandboxResponse {
    const issue = find(request.params.issueIdOrKey!);
    if (!issue) return NOT_FOUND;
    const body = (request.body ?? {}) as { fields?: Record<string, unknown>; update?: Record<string, Array<Record<string, unknown>>> };
    const fields = body.fields ?? {};
    const errors = checkFields(fields, false);
    for (const name of Object.keys(body.update ?? {})) {
      if (name in fields) errors[name] = `Field '${name}' cannot be both set and updated.`;
      else if (name !== 'labels') errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);

    if (typeof fields.summary === 'string') issue.summary = fields.summary;
    if ('description' in fields) issue.description = fields.description;
    if (Array.isArray(fields.labels)) issue.labels = [...new Set(fields.labels as string[])];
    for (const op of body.update?.labels ?? []) {
      if (typeof op.add === 'string' && !issue.labels.includes(op.add)) issue.labels.push(op.add);
      if (typeof op.remove === 'string') issue.labels = issue.labels.filter((l) => l !== op.remove);
      if (Array.isArray(op.set)) issue.labels = [...new Set(op.set as string[])];
    }
    issue.updated = new Date().toISOString().replace('Z', '+0000');
    return { status: 204 };
  }

  function transitionsOf(issue: Issue, root: string) {
    // Jira lists the transitions available from the current status, not the one to itself.
    return TRANSITIONS.filter((t) => t.statusId !== issue.statusId).map((t) => ({
      id: t.id,
      name: t.name,
      to: statusJson(STATUSES.find((s) => s.id === t.statusId)!, root),
      hasScreen: false,
      isGlobal: true,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    }));
  }

  function doTransition(request: SandboxRequest): SandboxResponse {
    const issue = find(request.params.issueIdOrKey!);
    if (!issue) return NOT_FOUND;
    const id = (request.body as { transition?: { id?: unknown } } | undefined)?.transition?.id;
    if (id === undefined) return jiraError(400, ['Missing transition id.']);
    const transition = TRANSITIONS.find((t) => t.id === String(id) && t.statusId !== issue.statusId);
    if (!transition) return jiraError(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
    issue.statusId = transition.statusId;
    issue.updated = new Date().toISOString().replace('Z', '+0000');
    return { status: 204 };
  }

  function addRemoteLink(request: SandboxRequest): SandboxResponse {
    const issue = find(request.params.issueIdOrKey!);
    if (!issue) return NOT_FOUND;
    const body = (request.body ?? {}) as { globalId?: string; relationship?: string; object?: { url?: unknown; title?: unknown; summary?: string } };
    const errors: Record<string, string> = {};
    if (typeof body.object?.title !== 'string' || body.object.title === '') errors.title = "'title' is required.";
    if (typeof body.object?.url !== 'string' || body.object.url === '') errors.url = "'url' is required.";
    if (body.globalId !== undefined && body.globalId.length > 255) errors.globalId = "'globalId' must be 255 characters or fewer.";
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
    const object = { url: body.object!.url as string, title: body.object!.title as string, summary: body.object!.summary };
    const root = base(request);
    // A link with the same globalId is updated in place (200), which is what makes retries safe.
    const existing = body.globalId === undefined ? undefined : issue.remoteLinks.find((l) => l.globalId === body.globalId);
    if (existing) {
      existing.object = object;
      existing.relationship = body.relationship;
      return { status: 200, body: { id: existing.id, self: `${root}/rest/api/3/issue/${issue.key}/remotelink/${existing.id}` } };
    }
    const link: RemoteLink = { id: nextLinkId++, globalId: body.globalId, relationship: body.relationship, object };
    issue.remoteLinks.push(link);
    return { status: 201, body: { id: link.id, self: `${root}/rest/api/3/issue/${issue.key}/remotelink/${link.id}` } };
  }

  function listRemoteLinks(request: SandboxRequest): SandboxResponse {
    const issue = find(request.params.issueIdOrKey!);
    if (!issue) return NOT_FOUND;
    const root = base(request);
    const globalId = request.query.get('globalId');
    const links = issue.remoteLinks
      .filter((l) => globalId === null || l.globalId === globalId)
      .map((l) => ({
        id: l.id,
        self: `${root}/rest/api/3/issue/${issue.key}/remotelink/${l.id}`,
        ...(l.globalId === undefined ? {} : { globalId: l.globalId }),
        ...(l.relationship === undefined ? {} : { relationship: l.relationship }),
        object: l.object,
      }));
    return { body: links };
  }

  /** The JQL Muster needs: `field = value` clauses joined by AND, optional ORDER BY. */
  function parseJql(jql: string): Array<(issue: Issue) => boolean> | string {
    const where = jql.replace(/\s+order\s+by\s+.*$/i, '').trim();
    if (where === '') return [];
    const clauses: Array<(issue: Issue) => boolean> = [];
    for (const clause of where.split(/\s+AND\s+/i)) {
      const m = /^\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))\s*$/.exec(clause);
      if (!m) return `Error in the JQL Query: the clause '${clause.trim()}' is not supported by the sandbox.`;
      const field = m[1]!.toLowerCase();
      const value = (m[2] ?? m[3] ?? m[4]!).replace(/\\(.)/g, '$1');
      if (field === 'labels') clauses.push((i) => i.labels.includes(value));
      else if (field === 'key' || field === 'issuekey' || field === 'id') clauses.push((i) => i.key === value.toUpperCase() || i.id === value);
      else if (field === 'project') {
        if (value.toUpperCase() !== project.projectKey && value !== project.projectId) return `The value '${value}' does not exist for the field 'project'.`;
        clauses.push(() => true);
      } else if (field === 'status') clauses.push((i) => statusOf(i).name.toLowerCase() === value.toLowerCase());
      else return `Field '${m[1]}' does not exist or you do not have permission to view it.`;
    }
    return clauses;
  }

  const fieldList = (value: unknown): string[] | undefined =>
    Array.isArray(value) ? value.map(String) : typeof value === 'string' && value !== '' ? value.split(',') : undefined;

  function runSearch(jql: string): Issue[] | SandboxResponse {
    const clauses = parseJql(jql);
    if (typeof clauses === 'string') return jiraError(400, [clauses]);
    return issues.filter((issue) => clauses.every((matches) => matches(issue)));
  }

  /** The original search (`/rest/api/3/search`): offset pagination and a total. */
  function legacySearch(request: SandboxRequest, input: Record<string, unknown>): SandboxResponse {
    const found = runSearch(String(input.jql ?? ''));
    if (!Array.isArray(found)) return found;
    const startAt = Number(input.startAt ?? 0);
    const maxResults = Math.min(Number(input.maxResults ?? 50), 100);
    const fields = fieldList(input.fields);
    const page = found.slice(startAt, startAt + maxResults).map((i) => issueJson(i, base(request), fields));
    return { body: { expand: 'schema,names', startAt, maxResults, total: found.length, issues: page } };
  }

  /**
   * The enhanced search (`/rest/api/3/search/jql`) that replaced it on Jira Cloud: token
   * pagination, no total, only issue ids unless fields are asked for, no unbounded queries.
   */
  function enhancedSearch(request: SandboxRequest, input: Record<string, unknown>): SandboxResponse {
    const jql = String(input.jql ?? '');
    if (jql.replace(/\s+order\s+by\s+.*$/i, '').trim() === '') {
      return jiraError(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    }
    const found = runSearch(jql);
    if (!Array.isArray(found)) return found;
    const offset = input.nextPageToken ? Number(Buffer.from(String(input.nextPageToken), 'base64url').toString()) : 0;
    const maxResults = Math.min(Number(input.maxResults ?? 50), 5000);
    const fields = fieldList(input.fields);
    const page = found.slice(offset, offset + maxResults).map((i) => (fields ? issueJson(i, base(request), fields) : { id: i.id }));
    const more = offset + maxResults < found.length;
    return { body: { issues: page, isLast: !more, ...(more ? { nextPageToken: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}) } };
  }

  const queryInput = (request: SandboxRequest) => Object.fromEntries(request.query);
  const bodyInput = (request: SandboxRequest) => (request.body ?? {}) as Record<string, unknown>;

  /** Every route answers 401 without the fixture's email and API token, as Jira Cloud does. */
  const authed =
    (handler: (request: SandboxRequest) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse =>
      authorized(request) ? handler(request) : jiraError(401, ['Client must be authenticated to access this resource.']);

  return {
    vendor: 'jira',
    register(router) {
      const add = (method: string, pattern: string, handler: (request: SandboxRequest) => SandboxResponse) => router.add('jira', method, pattern, authed(handler));
      add('POST', '/rest/api/3/issue', createIssue);
      add('GET', '/rest/api/3/search', (r) => legacySearch(r, queryInput(r)));
      add('POST', '/rest/api/3/search', (r) => legacySearch(r, bodyInput(r)));
      add('GET', '/rest/api/3/search/jql', (r) => enhancedSearch(r, queryInput(r)));
      add('POST', '/rest/api/3/search/jql', (r) => enhancedSearch(r, bodyInput(r)));
      add('GET', '/rest/api/3/issue/:issueIdOrKey', (r) => {
        const issue = find(r.params.issueIdOrKey!);
        return issue ? { body: issueJson(issue, base(r), fieldList(r.query.get('fields'))) } : NOT_FOUND;
      });
      add('PUT', '/rest/api/3/issue/:issueIdOrKey', editIssue);
      add('GET', '/rest/api/3/issue/:issueIdOrKey/transitions', (r) => {
        const issue = find(r.params.issueIdOrKey!);
        return issue ? { body: { expand: 'transitions', transitions: transitionsOf(issue, base(r)) } } : NOT_FOUND;
      });
      add('POST', '/rest/api/3/issue/:issueIdOrKey/transitions', doTransition);
      add('GET', '/rest/api/3/issue/:issueIdOrKey/remotelink', listRemoteLinks);
      add('POST', '/rest/api/3/issue/:issueIdOrKey/remotelink', addRemoteLink);
    },
    reset,
    view(): ViewSection[] {
      return [
        {
          heading: 'Tickets',
          columns: ['key', 'summary', 'status', 'labels', 'links'],
          rows: issues.map((i) => [i.key, i.summary, statusOf(i).name, i.labels.join(', '), i.remoteLinks.map((l) => `${l.object.title}: ${l.object.url}`).join('\n')]),
        },
      ];
    },
    snapshot() {
      return {
        issues: issues.map((i) => ({
          id: i.id,
          key: i.key,
          summary: i.summary,
          description: adfToText(i.description),
          labels: i.labels,
          status: statusOf(i).name,
          statusCategory: statusOf(i).category.key,
          remoteLinks: i.remoteLinks.map((l) => ({ globalId: l.globalId, ...l.object })),
        })),
      };
    },
  };
}
