/**
 * Google Workspace emulator: the slices of Drive v3, Docs v1, Calendar v3, Admin Directory and
 * Gmail that Muster calls, on the paths googleapis uses when `rootUrl` points here. State is
 * kept in memory and answers carry Google's JSON shapes (including its error envelope), so the
 * real googleapis clients and their GaxiosErrors behave as they would against Google.
 */
import type { Ids, Router, SandboxRequest, SandboxResponse, VendorModule, ViewSection } from './core';
import type { SandboxFixture } from './fixture';

const FOLDER = 'application/vnd.google-apps.folder';
const DOCUMENT = 'application/vnd.google-apps.document';
/** The id of "My Drive"; 'root' is its alias in queries and parents. */
const ROOT = 'root';

// ---------------------------------------------------------------------------------------------
// Google's error envelope

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

interface ErrorDetail {
  reason: string;
  location?: string;
  locationType?: 'parameter' | 'header';
}

function googleError(code: number, message: string, detail: ErrorDetail, headers?: Record<string, string>): SandboxResponse {
  return {
    status: code,
    headers,
    body: { error: { code, message, errors: [{ message, domain: 'global', ...detail }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } },
  };
}

const badRequest = (message: string, reason = 'required', location?: string) =>
  googleError(400, message, { reason, ...(location ? { location, locationType: 'parameter' as const } : {}) });
const fileNotFound = (id: string) => googleError(404, `File not found: ${id}.`, { reason: 'notFound', location: 'fileId', locationType: 'parameter' });

/** Thrown inside handlers to answer with a Google error; the route wrapper turns it into a response. */
class GoogleFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super('google failure');
  }
}
const fail = (response: SandboxResponse): never => {
  throw new GoogleFailure(response);
};

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asStringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(asObject(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
const now = () => new Date().toISOString();
const excerpt = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\n/g, ' ⏎ ');

/**
 * Drive's partial responses: `fields=id,webViewLink` or `files(id,name),nextPageToken`. Drive
 * answers only the default fields without it, so an adapter that forgets `fields` notices here
 * as it would against Google.
 */
type FieldTree = Map<string, FieldTree | true>;

function parseFields(spec: string): FieldTree {
  let pos = 0;
  const parseList = (): FieldTree => {
    const tree: FieldTree = new Map();
    while (pos < spec.length && spec[pos] !== ')') {
      const start = pos;
      while (pos < spec.length && !',()'.includes(spec[pos]!)) pos++;
      const path = spec.slice(start, pos).trim();
      let sub: FieldTree | true = true;
      if (spec[pos] === '(') {
        pos++;
        sub = parseList();
        pos++; // ')'
      }
      // a/b is shorthand for a(b).
      const parts = path.split('/').filter(Boolean);
      if (parts.length > 0) {
        const nested = parts.slice(1).reduceRight<FieldTree | true>((inner, key) => new Map([[key, inner]]), sub);
        tree.set(parts[0]!, nested);
      }
      if (spec[pos] === ',') pos++;
    }
    return tree;
  };
  return parseList();
}

function project(value: unknown, tree: FieldTree | true): unknown {
  if (tree === true || tree.has('*')) return value;
  if (Array.isArray(value)) return value.map((item) => project(item, tree));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, sub] of tree) {
    const field = (value as Json)[key];
    if (field !== undefined) out[key] = project(field, sub);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Drive's query language (the subset Muster and people poking at the sandbox use)

interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  appProperties: Record<string, string>;
  properties: Record<string, string>;
  description?: string;
  trashed: boolean;
  createdTime: string;
  modifiedTime: string;
  version: number;
}

type Predicate = (file: DriveFile) => boolean;
type Token = { kind: 'string' | 'word' | 'op' | 'punct'; value: string };

class QueryError extends Error {}

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:'((?:[^'\\]|\\.)*)'|([{}()])|(!=|<=|>=|=|<|>)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < q.length && (match = pattern.exec(q))) {
    if (match[1] !== undefined) tokens.push({ kind: 'string', value: match[1].replace(/\\(.)/g, '$1') });
    else if (match[2]) tokens.push({ kind: 'punct', value: match[2] });
    else if (match[3]) tokens.push({ kind: 'op', value: match[3] });
    else if (match[4]) tokens.push({ kind: 'word', value: match[4] });
    else break;
  }
  if (q.slice(pattern.lastIndex).trim()) throw new QueryError(`unexpected text at ${pattern.lastIndex}`);
  return tokens;
}

function parseQuery(q: string): Predicate {
  const tokens = tokenize(q);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (value: string) => peek()?.kind === 'word' && peek()!.value.toLowerCase() === value;
  const take = (kind: Token['kind'], value?: string): string => {
    const token = tokens[pos];
    if (!token || token.kind !== kind || (value !== undefined && token.value.toLowerCase() !== value)) {
      throw new QueryError(`expected ${value ?? kind} at token ${pos}`);
    }
    pos++;
    return token.value;
  };

  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (isWord('or')) {
      pos++;
      parts.push(andExpr());
    }
    return (file) => parts.some((p) => p(file));
  };
  const andExpr = (): Predicate => {
    const parts = [unary()];
    while (isWord('and')) {
      pos++;
      parts.push(unary());
    }
    return (file) => parts.every((p) => p(file));
  };
  const unary = (): Predicate => {
    if (isWord('not')) {
      pos++;
      const inner = unary();
      return (file) => !inner(file);
    }
    if (peek()?.kind === 'punct' && peek()!.value === '(') {
      pos++;
      const inner = orExpr();
      take('punct', ')');
      return inner;
    }
    return clause();
  };
  const clause = (): Predicate => {
    const first = peek();
    if (first?.kind === 'string') {
      // '<id>' in parents
      const id = take('string');
      take('word', 'in');
      take('word', 'parents');
      return (file) => file.parents.includes(id);
    }
    const field = take('word');
    if (field === 'appProperties' || field === 'properties') {
      take('word', 'has');
      take('punct', '{');
      take('word', 'key');
      take('op', '=');
      const key = take('string');
      take('word', 'and');
      take('word', 'value');
      take('op', '=');
      const value = take('string');
      take('punct', '}');
      return (file) => file[field][key] === value;
    }
    const op = peek()?.kind === 'word' && peek()!.value === 'contains' ? take('word') : take('op');
    const operand = peek()?.kind === 'string' ? take('string') : take('word');
    const readers: Record<string, (file: DriveFile) => string> = {
      name: (file) => file.name,
      mimeType: (file) => file.mimeType,
      trashed: (file) => String(file.trashed),
      fullText: (file) => `${file.name}\n${file.description ?? ''}`,
    };
    const read = readers[field];
    if (!read) throw new QueryError(`the sandbox does not search on ${field}`);
    switch (op) {
      case '=':
        return (file) => read(file) === operand;
      case '!=':
        return (file) => read(file) !== operand;
      case 'contains':
        return (file) => read(file).toLowerCase().includes(operand.toLowerCase());
      default:
        throw new QueryError(`operator ${op} is not supported on ${field}`);
    }
  };

  const predicate = orExpr();
  if (pos !== tokens.length) throw new QueryError(`unexpected ${tokens[pos]!.value}`);
  return predicate;
}

// ---------------------------------------------------------------------------------------------
// Mail: just enough RFC 822 / MIME to read what a client sent

interface SentMessage {
  id: string;
  threadId: string;
  userId: string;
  labelIds: string[];
  internalDate: string;
  /** Lower-cased header names, decoded values. */
  headers: Record<string, string>;
  /** Header names as sent, for messages.get. */
  headerList: Array<{ name: string; value: string }>;
  to: string[];
  subject: string;
  body: string;
}

function decodeEncodedWords(value: string): string {
  // RFC 2047: white space between adjacent encoded words (a folded long header) is not text.
  return value.replace(/(\?=)\s+(?==\?)/g, '$1').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

export function parseMime(raw: string): { headers: Array<{ name: string; value: string }>; body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Array<{ name: string; value: string }> = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) last.value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
  }
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
  const contentType = header('content-type');
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    // The first text part is what a person would read.
    const parts = rest.split(`--${boundary}`).slice(1, -1).map((part) => parseMime(part.replace(/^\r?\n/, '')));
    const text = parts.find((p) => /text\/plain/i.test(p.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'text/plain'));
    return { headers: headers.map((h) => ({ ...h, value: decodeEncodedWords(h.value) })), body: (text ?? parts[0])?.body ?? '' };
  }
  const encoding = header('content-transfer-encoding').toLowerCase();
  const body =
    encoding === 'base64'
      ? Buffer.from(rest.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            rest.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8')
        : rest;
  return { headers: headers.map((h) => ({ ...h, value: decodeEncodedWords(h.value) })), body };
}

const addresses = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((part) => (/<([^>]+)>/.exec(part)?.[1] ?? part).trim())
    .filter(Boolean);

/** Gmail search, the operators Muster uses plus free text; every term must match. */
function gmailMatcher(q: string): (message: SentMessage) => boolean {
  const terms = q.match(/(?:[^\s"]+:)?"[^"]*"|\S+/g) ?? [];
  const checks = terms.map((term): ((m: SentMessage) => boolean) => {
    const colon = term.indexOf(':');
    const op = colon > 0 ? term.slice(0, colon).toLowerCase() : '';
    const value = (colon > 0 ? term.slice(colon + 1) : term).replace(/^"|"$/g, '').toLowerCase();
    switch (op) {
      case 'rfc822msgid':
        return (m) => (m.headers['message-id'] ?? '').replace(/^<|>$/g, '').toLowerCase() === value.replace(/^<|>$/g, '');
      case 'in':
      case 'label':
        return (m) => m.labelIds.some((label) => label.toLowerCase() === value);
      case 'to':
        return (m) => m.to.some((to) => to.toLowerCase().includes(value));
      case 'from':
        return (m) => (m.headers.from ?? '').toLowerCase().includes(value);
      case 'subject':
        return (m) => m.subject.toLowerCase().includes(value);
      default:
        return (m) => `${m.subject}\n${m.body}`.toLowerCase().includes(value);
    }
  });
  return (message) => checks.every((check) => check(message));
}

// ---------------------------------------------------------------------------------------------
// Calendar and Directory resources

interface CalendarEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: string;
  htmlLink: string;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  location?: string;
  creator: { email: string; self: boolean };
  organizer: { email: string; self: boolean };
  start: Json;
  end: Json;
  attendees?: Array<{ email: string; responseStatus: string; [key: string]: unknown }>;
  iCalUID: string;
  sequence: number;
  hangoutLink?: string;
  conferenceData?: Json;
  reminders: { useDefault: boolean };
  eventType: 'default';
}

interface Member {
  kind: 'admin#directory#member';
  etag: string;
  id: string;
  email: string;
  role: string;
  type: 'USER' | 'GROUP';
  status: 'ACTIVE';
}

interface Group {
  kind: 'admin#directory#group';
  etag: string;
  id: string;
  email: string;
  name: string;
  description: string;
  adminCreated: boolean;
  members: Member[];
}

interface Permission {
  kind: 'drive#permission';
  id: string;
  type: string;
  role: string;
  emailAddress?: string;
  domain?: string;
}

const PERMISSION_ROLES = ['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader'];
const PERMISSION_TYPES = ['user', 'group', 'domain', 'anyone'];
const MEMBER_ROLES = ['OWNER', 'MANAGER', 'MEMBER'];
const EVENT_ID = /^[a-v0-9]{5,1024}$/;

/** A Meet code (abc-defg-hij) from a counter, so runs are reproducible. */
function meetCode(n: number): string {
  let letters = '';
  let rest = n * 7919 + 104729; // spread consecutive codes apart so they do not look sequential
  for (let i = 0; i < 10; i++) {
    letters += String.fromCharCode(97 + (rest % 26));
    rest = Math.floor(rest / 26) + i * 31;
  }
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}

// ---------------------------------------------------------------------------------------------
// The module

interface State {
  files: Map<string, DriveFile>;
  /** Document text by file id (documents are Drive files of the Docs mime type). */
  documents: Map<string, { text: string; revision: number }>;
  permissions: Map<string, Permission[]>;
  /** Drive reuses one permission id per grantee across files. */
  permissionIds: Map<string, string>;
  events: Map<string, Map<string, CalendarEvent>>;
  groups: Group[];
  /** Directory ids of people and groups, stable per email. */
  memberIds: Map<string, string>;
  messages: SentMessage[];
  meetings: number;
  etags: number;
}

export function googleModule(fixture: SandboxFixture, ids: Ids): VendorModule {
  let state: State = initialState();

  function initialState(): State {
    const files = new Map<string, DriveFile>();
    const documents = new Map<string, { text: string; revision: number }>();
    for (const template of fixture.google.templates) {
      files.set(template.id, {
        id: template.id,
        name: template.name,
        mimeType: DOCUMENT,
        parents: [ROOT],
        appProperties: {},
        properties: {},
        trashed: false,
        createdTime: new Date(0).toISOString(),
        modifiedTime: new Date(0).toISOString(),
        version: 1,
      });
      documents.set(template.id, { text: template.text, revision: 1 });
    }
    return { files, documents, permissions: new Map(), permissionIds: new Map(), events: new Map(), groups: [], memberIds: new Map(), messages: [], meetings: 0, etags: 0 };
  }

  const domain = fixture.google.domain.toLowerCase();
  const mailboxOf = (userId: string) => (userId === 'me' ? `muster@${domain}` : userId.toLowerCase());

  // --- Drive -----------------------------------------------------------------------------------

  const webViewLink = (file: DriveFile) =>
    file.mimeType === FOLDER ? `https://drive.google.com/drive/folders/${file.id}` : file.mimeType === DOCUMENT ? `https://docs.google.com/document/d/${file.id}/edit` : `https://drive.google.com/file/d/${file.id}/view`;

  const fileResource = (file: DriveFile): Json => ({
    kind: 'drive#file',
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    parents: file.parents,
    appProperties: file.appProperties,
    properties: file.properties,
    ...(file.description === undefined ? {} : { description: file.description }),
    trashed: file.trashed,
    createdTime: file.createdTime,
    modifiedTime: file.modifiedTime,
    version: String(file.version),
    webViewLink: webViewLink(file),
  });

  const DEFAULT_FILE_FIELDS = 'kind,id,name,mimeType';
  const fileResponse = (request: SandboxRequest, file: DriveFile): SandboxResponse => ({
    body: project(fileResource(file), parseFields(request.query.get('fields') ?? DEFAULT_FILE_FIELDS)),
  });

  const getFile = (id: string): DriveFile => {
    return state.files.get(id) ?? fail(fileNotFound(id));
  };

  /** Parents must be existing folders (or My Drive). */
  const checkParents = (parents: unknown): string[] => {
    if (parents === undefined) return [ROOT];
    if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string')) fail(badRequest('Invalid value for parents.', 'invalid', 'parents'));
    const list = parents as string[];
    if (list.length > 1) fail(googleError(403, 'Increasing the number of parents is not allowed.', { reason: 'cannotAddParent' }));
    for (const id of list) {
      if (id === ROOT) continue;
      const parent = getFile(id);
      if (parent.mimeType !== FOLDER) fail(badRequest(`The specified parent is not a folder: ${id}.`, 'invalidParent', 'parents'));
    }
    return list.length ? list : [ROOT];
  };

  function createFile(request: SandboxRequest): SandboxResponse {
    const body = asObject(request.body);
    const mimeType = asString(body.mimeType) ?? 'application/octet-stream';
    const time = now();
    const file: DriveFile = {
      id: ids.next('1sbx', 10),
      name: asString(body.name) ?? 'Untitled',
      mimeType,
      parents: checkParents(body.parents),
      appProperties: asStringMap(body.appProperties),
      properties: asStringMap(body.properties),
      description: asString(body.description),
      trashed: false,
      createdTime: time,
      modifiedTime: time,
      version: 1,
    };
    state.files.set(file.id, file);
    if (mimeType === DOCUMENT) state.documents.set(file.id, { text: '\n', revision: 1 });
    return fileResponse(request, file);
  }

  function copyFile(request: SandboxRequest): SandboxResponse {
    const source = getFile(request.params.fileId!);
    if (source.mimeType === FOLDER) fail(googleError(403, 'This file cannot be copied by the user.', { reason: 'cannotCopyFile' }));
    const body = asObject(request.body);
    const time = now();
    const copy: DriveFile = {
      id: ids.next('1sbx', 10),
      name: asString(body.name) ?? `Copy of ${source.name}`,
      mimeType: source.mimeType,
      parents: body.parents === undefined ? [...source.parents] : checkParents(body.parents),
      // Like Drive, a copy keeps the source's properties unless the request sets its own.
      appProperties: body.appProperties === undefined ? { ...source.appProperties } : asStringMap(body.appProperties),
      properties: body.properties === undefined ? { ...source.properties } : asStringMap(body.properties),
      description: asString(body.description) ?? source.description,
      trashed: false,
      createdTime: time,
      modifiedTime: time,
      version: 1,
    };
    state.files.set(copy.id, copy);
    const document = state.documents.get(source.id);
    if (document) state.documents.set(copy.id, { text: document.text, revision: 1 });
    return fileResponse(request, copy);
  }

  function listFiles(request: SandboxRequest): SandboxResponse {
    const q = request.query.get('q');
    let predicate: Predicate = () => true;
    if (q) {
      try {
        predicate = parseQuery(q);
      } catch (err) {
        // Drive says no more than this about a query it cannot parse.
        return googleError(400, 'Invalid Value', { reason: 'invalid', location: 'q', locationType: 'parameter' }, { 'x-sandbox-detail': (err as Error).message });
      }
    }
    const pageSize = Math.min(Math.max(Number(request.query.get('pageSize') ?? 100) || 100, 1), 1000);
    const offset = Number(request.query.get('pageToken') ?? 0) || 0;
    const matched = [...state.files.values()].filter(predicate);
    const page = matched.slice(offset, offset + pageSize);
    const next = offset + pageSize < matched.length ? String(offset + pageSize) : undefined;
    const list = { kind: 'drive#fileList', incompleteSearch: false, ...(next ? { nextPageToken: next } : {}), files: page.map(fileResource) };
    return { body: project(list, parseFields(request.query.get('fields') ?? `kind,incompleteSearch,nextPageToken,files(${DEFAULT_FILE_FIELDS})`)) };
  }

  function updateFile(request: SandboxRequest): SandboxResponse {
    const file = getFile(request.params.fileId!);
    const body = asObject(request.body);
    if (typeof body.name === 'string') file.name = body.name;
    if (typeof body.description === 'string') file.description = body.description;
    if (typeof body.trashed === 'boolean') file.trashed = body.trashed;
    // A null value removes a property, as in Drive.
    for (const key of ['appProperties', 'properties'] as const) {
      for (const [k, v] of Object.entries(asObject(body[key]))) {
        if (v === null) delete file[key][k];
        else if (typeof v === 'string') file[key][k] = v;
      }
    }
    const remove = (request.query.get('removeParents') ?? '').split(',').filter(Boolean);
    const add = (request.query.get('addParents') ?? '').split(',').filter(Boolean);
    if (add.length) checkParents(add);
    file.parents = [...file.parents.filter((p) => !remove.includes(p)), ...add.filter((p) => !file.parents.includes(p))];
    file.modifiedTime = now();
    file.version += 1;
    return fileResponse(request, file);
  }

  function createPermission(request: SandboxRequest): SandboxResponse {
    const file = getFile(request.params.fileId!);
    const body = asObject(request.body);
    const type = asString(body.type);
    const role = asString(body.role);
    if (!type) return badRequest('The permission type field is required.', 'required', 'permission.type');
    if (!role) return badRequest('The permission role field is required.', 'required', 'permission.role');
    if (!PERMISSION_TYPES.includes(type)) return badRequest(`Invalid permission type: ${type}.`, 'invalid', 'permission.type');
    if (!PERMISSION_ROLES.includes(role)) return badRequest(`Invalid permission role: ${role}.`, 'invalid', 'permission.role');
    const email = asString(body.emailAddress)?.toLowerCase();
    if ((type === 'user' || type === 'group') && !email) return badRequest('The permission emailAddress field is required.', 'required', 'permission.emailAddress');
    const grantee = email ?? asString(body.domain) ?? type;
    let id = state.permissionIds.get(grantee);
    if (!id) {
      id = ids.next('0', 19);
      state.permissionIds.set(grantee, id);
    }
    const list = state.permissions.get(file.id) ?? [];
    const permission: Permission = { kind: 'drive#permission', id, type, role, ...(email ? { emailAddress: email } : {}), ...(body.domain ? { domain: asString(body.domain) } : {}) };
    // Granting the same person again replaces the role, as Drive does; it is not an error.
    state.permissions.set(file.id, [...list.filter((p) => p.id !== id), permission]);
    return { body: project(permission, parseFields(request.query.get('fields') ?? 'kind,id,type,role')) };
  }

  function listPermissions(request: SandboxRequest): SandboxResponse {
    const file = getFile(request.params.fileId!);
    return { body: project({ kind: 'drive#permissionList', permissions: state.permissions.get(file.id) ?? [] }, parseFields(request.query.get('fields') ?? '*')) };
  }

  // --- Docs ------------------------------------------------------------------------------------

  const getDocument = (id: string) => {
    const file = state.files.get(id);
    const document = state.documents.get(id);
    if (!file || !document || file.mimeType !== DOCUMENT) fail(googleError(404, 'Requested entity was not found.', { reason: 'notFound' }));
    return { file: file!, document: document! };
  };

  /** The Docs body structure: a section break, then one paragraph per line (indexes in UTF-16 units from 1). */
  function documentBody(text: string): Json {
    const content: Json[] = [{ endIndex: 1, sectionBreak: { sectionStyle: { columnSeparatorStyle: 'NONE', contentDirection: 'LEFT_TO_RIGHT', sectionType: 'CONTINUOUS' } } }];
    let index = 1;
    const lines = (text.endsWith('\n') ? text : `${text}\n`).split(/(?<=\n)/);
    for (const line of lines) {
      const end = index + line.length;
      content.push({
        startIndex: index,
        endIndex: end,
        paragraph: { elements: [{ startIndex: index, endIndex: end, textRun: { content: line, textStyle: {} } }], paragraphStyle: { namedStyleType: 'NORMAL_TEXT', direction: 'LEFT_TO_RIGHT' } },
      });
      index = end;
    }
    return { content };
  }

  function getDocumentResource(request: SandboxRequest): SandboxResponse {
    const { file, document } = getDocument(request.params.documentId!);
    return { body: { documentId: file.id, title: file.name, body: documentBody(document.text), revisionId: `rev-${document.revision}`, suggestionsViewMode: 'SUGGESTIONS_INLINE' } };
  }

  function batchUpdateDocument(request: SandboxRequest): SandboxResponse {
    const { file, document } = getDocument(request.params.documentId!);
    const requests = asObject(request.body).requests;
    if (!Array.isArray(requests) || requests.length === 0) return badRequest('Invalid requests: must contain at least one request.', 'badRequest');
    let text = document.text;
    const replies: Json[] = [];
    for (const [i, item] of requests.entries()) {
      const replace = asObject(asObject(item).replaceAllText);
      if (!('replaceAllText' in asObject(item))) return badRequest(`Invalid requests[${i}]: the sandbox emulates only replaceAllText.`, 'badRequest');
      const contains = asObject(replace.containsText);
      const find = asString(contains.text);
      if (!find) return badRequest(`Invalid requests[${i}].replaceAllText: The containsText text cannot be empty.`, 'badRequest');
      const replacement = asString(replace.replaceText) ?? '';
      const pattern = new RegExp(find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), contains.matchCase === true ? 'g' : 'gi');
      const occurrences = text.match(pattern)?.length ?? 0;
      text = text.replace(pattern, () => replacement);
      replies.push({ replaceAllText: occurrences ? { occurrencesChanged: occurrences } : {} });
    }
    // The whole batch applies or none of it, as in Docs.
    document.text = text;
    document.revision += 1;
    file.modifiedTime = now();
    return { body: { documentId: file.id, replies, writeControl: { requiredRevisionId: `rev-${document.revision}` } } };
  }

  // --- Calendar --------------------------------------------------------------------------------

  const calendarOf = (calendarId: string) => {
    let calendar = state.events.get(calendarId);
    if (!calendar) state.events.set(calendarId, (calendar = new Map()));
    return calendar;
  };
  const eventNotFound = () => googleError(404, 'Not Found', { reason: 'notFound' });

  function attendeesFrom(value: unknown, previous: CalendarEvent['attendees'] = []): CalendarEvent['attendees'] {
    if (!Array.isArray(value)) fail(badRequest('Invalid attendees.', 'invalid'));
    return (value as unknown[]).map((item) => {
      const attendee = asObject(item);
      const email = asString(attendee.email)?.toLowerCase();
      if (!email) fail(badRequest('Missing attendee email.', 'required'));
      const known = previous.find((a) => a.email === email);
      return { ...known, ...attendee, email: email!, responseStatus: asString(attendee.responseStatus) ?? known?.responseStatus ?? 'needsAction' };
    });
  }

  /** With conferenceDataVersion=1 a createRequest makes a Meet; without it Calendar ignores conferenceData. */
  function applyConference(event: CalendarEvent, request: SandboxRequest, body: Json): void {
    if (request.query.get('conferenceDataVersion') !== '1' || body.conferenceData === undefined) return;
    const createRequest = asObject(asObject(body.conferenceData).createRequest);
    if (Object.keys(createRequest).length === 0 || event.conferenceData) return;
    const requestId = asString(createRequest.requestId);
    if (!requestId) fail(badRequest('Invalid conference create request: requestId is required.', 'invalid'));
    const type = asString(asObject(createRequest.conferenceSolutionKey).type) ?? 'hangoutsMeet';
    if (type !== 'hangoutsMeet') fail(badRequest('Invalid conference type value.', 'invalid'));
    const code = meetCode(++state.meetings);
    const uri = `https://meet.google.com/${code}`;
    event.hangoutLink = uri;
    event.conferenceData = {
      createRequest: { requestId, conferenceSolutionKey: { type }, status: { statusCode: 'success' } },
      entryPoints: [{ entryPointType: 'video', uri, label: `meet.google.com/${code}` }],
      conferenceSolution: { key: { type }, name: 'Google Meet', iconUri: 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png' },
      conferenceId: code,
    };
  }

  const etag = () => `"sbx-${++state.etags}"`;

  function insertEvent(request: SandboxRequest): SandboxResponse {
    const calendarId = request.params.calendarId!;
    const calendar = calendarOf(calendarId);
    const body = asObject(request.body);
    const clientId = asString(body.id);
    if (clientId !== undefined && !EVENT_ID.test(clientId)) return badRequest('Invalid resource id value.', 'invalid');
    if (clientId && calendar.has(clientId)) return googleError(409, 'The requested identifier already exists.', { reason: 'duplicate' });
    if (body.start === undefined) return badRequest('Missing start time.', 'required');
    if (body.end === undefined) return badRequest('Missing end time.', 'required');
    let id = clientId;
    while (!id || (!clientId && calendar.has(id))) id = ids.next('ev', 10);
    const owner = calendarId === 'primary' ? `muster@${domain}` : calendarId;
    const time = now();
    const event: CalendarEvent = {
      kind: 'calendar#event',
      etag: etag(),
      id,
      status: asString(body.status) ?? 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${owner}`).toString('base64url')}`,
      created: time,
      updated: time,
      summary: asString(body.summary),
      description: asString(body.description),
      location: asString(body.location),
      creator: { email: owner, self: true },
      organizer: { email: owner, self: true },
      start: asObject(body.start),
      end: asObject(body.end),
      ...(body.attendees === undefined ? {} : { attendees: attendeesFrom(body.attendees) }),
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      eventType: 'default',
    };
    applyConference(event, request, body);
    calendar.set(id, event);
    return { body: event };
  }

  function getEvent(request: SandboxRequest): SandboxResponse {
    const event = state.events.get(request.params.calendarId!)?.get(request.params.eventId!);
    return event ? { body: event } : eventNotFound();
  }

  function patchEvent(request: SandboxRequest): SandboxResponse {
    const event = state.events.get(request.params.calendarId!)?.get(request.params.eventId!);
    if (!event) return eventNotFound();
    const body = asObject(request.body);
    for (const key of ['summary', 'description', 'location', 'status'] as const) {
      if (typeof body[key] === 'string') event[key] = body[key] as string;
    }
    if (body.start !== undefined) event.start = asObject(body.start);
    if (body.end !== undefined) event.end = asObject(body.end);
    if (body.attendees !== undefined) event.attendees = attendeesFrom(body.attendees, event.attendees);
    applyConference(event, request, body);
    event.updated = now();
    event.etag = etag();
    return { body: event };
  }

  // --- Admin Directory -------------------------------------------------------------------------

  const findGroup = (key: string) => {
    const lower = key.toLowerCase();
    return state.groups.find((g) => g.id === key || g.email === lower);
  };
  const resourceNotFound = (what: string) => googleError(404, `Resource Not Found: ${what}`, { reason: 'notFound' });
  const directoryId = (email: string) => {
    let id = state.memberIds.get(email);
    if (!id) state.memberIds.set(email, (id = ids.next('1', 20)));
    return id;
  };
  const groupResource = (group: Group): Json => {
    const { members, ...rest } = group;
    return { ...rest, directMembersCount: String(members.length), nonEditableAliases: [`${group.email.split('@')[0]}@${domain}.test-google-a.com`] };
  };

  function insertGroup(request: SandboxRequest): SandboxResponse {
    const body = asObject(request.body);
    const email = asString(body.email)?.toLowerCase();
    if (!email) return badRequest('Missing required field: email', 'required');
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return badRequest('Invalid Input: email', 'invalid');
    // A Workspace admin can create groups only in the domains it manages.
    if (email.split('@')[1] !== domain) return googleError(403, 'Not Authorized to access this resource/api', { reason: 'forbidden' });
    if (findGroup(email)) return googleError(409, 'Entity already exists.', { reason: 'duplicate' });
    const group: Group = {
      kind: 'admin#directory#group',
      etag: etag(),
      id: ids.next('03grp', 10),
      email,
      name: asString(body.name) ?? email.split('@')[0]!,
      description: asString(body.description) ?? '',
      adminCreated: true,
      members: [],
    };
    state.memberIds.set(email, group.id);
    state.groups.push(group);
    return { body: groupResource(group) };
  }

  function getGroup(request: SandboxRequest): SandboxResponse {
    const group = findGroup(request.params.groupKey!);
    return group ? { body: groupResource(group) } : resourceNotFound('groupKey');
  }

  const groupOrFail = (key: string) => findGroup(key) ?? fail(resourceNotFound('groupKey'));

  function insertMember(request: SandboxRequest): SandboxResponse {
    const group = groupOrFail(request.params.groupKey!);
    const body = asObject(request.body);
    const email = asString(body.email)?.toLowerCase();
    if (!email) return badRequest('Missing required field: memberKey', 'required');
    const role = asString(body.role) ?? 'MEMBER';
    if (!MEMBER_ROLES.includes(role)) return badRequest('Invalid Input: role', 'invalid');
    if (group.members.some((m) => m.email === email)) return googleError(409, 'Member already exists.', { reason: 'duplicate' });
    const member: Member = {
      kind: 'admin#directory#member',
      etag: etag(),
      id: directoryId(email),
      email,
      role,
      type: findGroup(email) ? 'GROUP' : 'USER',
      status: 'ACTIVE',
    };
    group.members.push(member);
    return { body: member };
  }

  const findMember = (group: Group, key: string) => group.members.find((m) => m.id === key || m.email === key.toLowerCase());

  function listMembers(request: SandboxRequest): SandboxResponse {
    const group = groupOrFail(request.params.groupKey!);
    return { body: { kind: 'admin#directory#members', etag: etag(), ...(group.members.length ? { members: group.members } : {}) } };
  }

  function getMember(request: SandboxRequest): SandboxResponse {
    const member = findMember(groupOrFail(request.params.groupKey!), request.params.memberKey!);
    return member ? { body: member } : resourceNotFound('memberKey');
  }

  function deleteMember(request: SandboxRequest): SandboxResponse {
    const group = groupOrFail(request.params.groupKey!);
    const member = findMember(group, request.params.memberKey!);
    if (!member) return resourceNotFound('memberKey');
    group.members = group.members.filter((m) => m !== member);
    return { status: 204 };
  }

  // --- Gmail -----------------------------------------------------------------------------------

  function sendMessage(request: SandboxRequest): SandboxResponse {
    const raw = asString(asObject(request.body).raw);
    if (!raw) return badRequest("'raw' RFC822 payload message string or uploading message via /upload/* URL required", 'invalidArgument');
    const mime = parseMime(Buffer.from(raw, 'base64url').toString('utf8'));
    const headers = Object.fromEntries(mime.headers.map((h) => [h.name.toLowerCase(), h.value]));
    const to = addresses(headers.to);
    if (to.length + addresses(headers.cc).length + addresses(headers.bcc).length === 0) return badRequest('Recipient address required', 'invalidArgument');
    const userId = mailboxOf(request.params.userId!);
    const id = ids.next('18f', 13);
    // Gmail fills in what a client leaves out.
    headers.from ??= userId;
    headers['message-id'] ??= `<${id}@mail.gmail.com>`;
    const message: SentMessage = {
      id,
      threadId: id,
      userId,
      labelIds: ['SENT'],
      internalDate: String(Date.now()),
      headers,
      headerList: mime.headers,
      to,
      subject: headers.subject ?? '',
      body: mime.body,
    };
    state.messages.push(message);
    return { body: { id, threadId: id, labelIds: message.labelIds } };
  }

  function listMessages(request: SandboxRequest): SandboxResponse {
    const userId = mailboxOf(request.params.userId!);
    const matches = gmailMatcher(request.query.get('q') ?? '');
    const found = state.messages.filter((m) => m.userId === userId && matches(m)).reverse();
    const max = Math.min(Number(request.query.get('maxResults') ?? 100) || 100, 500);
    const page = found.slice(0, max);
    return { body: { ...(page.length ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}), resultSizeEstimate: page.length } };
  }

  function getMessage(request: SandboxRequest): SandboxResponse {
    const userId = mailboxOf(request.params.userId!);
    const message = state.messages.find((m) => m.userId === userId && m.id === request.params.id);
    if (!message) return googleError(404, 'Requested entity was not found.', { reason: 'notFound' });
    return {
      body: {
        id: message.id,
        threadId: message.threadId,
        labelIds: message.labelIds,
        snippet: message.body.slice(0, 200),
        internalDate: message.internalDate,
        payload: { mimeType: 'text/plain', headers: message.headerList, body: { size: Buffer.byteLength(message.body), data: Buffer.from(message.body).toString('base64url') } },
      },
    };
  }

  // --- Routing ---------------------------------------------------------------------------------

  function unauthenticated(request: SandboxRequest): SandboxResponse | undefined {
    const header = request.headers.authorization ?? '';
    if (header === `Bearer ${fixture.credentials.googleAccessToken}`) return undefined;
    const message = header
      ? 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
      : 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
    return googleError(
      401,
      message,
      { reason: header ? 'authError' : 'required', location: 'Authorization', locationType: 'header' },
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  }

  function register(router: Router): void {
    const on = (method: string, pattern: string, handler: (request: SandboxRequest) => SandboxResponse) =>
      router.add('google', method, pattern, (request) => {
        try {
          return unauthenticated(request) ?? handler(request);
        } catch (err) {
          if (err instanceof GoogleFailure) return err.response;
          throw err;
        }
      });

    on('POST', '/drive/v3/files', createFile);
    on('GET', '/drive/v3/files', listFiles);
    on('GET', '/drive/v3/files/:fileId', (request) => fileResponse(request, getFile(request.params.fileId!)));
    on('PATCH', '/drive/v3/files/:fileId', updateFile);
    on('POST', '/drive/v3/files/:fileId/copy', copyFile);
    on('POST', '/drive/v3/files/:fileId/permissions', createPermission);
    on('GET', '/drive/v3/files/:fileId/permissions', listPermissions);

    on('GET', '/v1/documents/:documentId', getDocumentResource);
    on('POST', '/v1/documents/:documentId:batchUpdate', batchUpdateDocument);

    on('POST', '/calendar/v3/calendars/:calendarId/events', insertEvent);
    on('GET', '/calendar/v3/calendars/:calendarId/events/:eventId', getEvent);
    on('PATCH', '/calendar/v3/calendars/:calendarId/events/:eventId', patchEvent);

    on('POST', '/admin/directory/v1/groups', insertGroup);
    on('GET', '/admin/directory/v1/groups/:groupKey', getGroup);
    on('POST', '/admin/directory/v1/groups/:groupKey/members', insertMember);
    on('GET', '/admin/directory/v1/groups/:groupKey/members', listMembers);
    on('GET', '/admin/directory/v1/groups/:groupKey/members/:memberKey', getMember);
    on('DELETE', '/admin/directory/v1/groups/:groupKey/members/:memberKey', deleteMember);

    on('POST', '/gmail/v1/users/:userId/messages/send', sendMessage);
    on('GET', '/gmail/v1/users/:userId/messages', listMessages);
    on('GET', '/gmail/v1/users/:userId/messages/:id', getMessage);
  }

  // --- What people and tests see ---------------------------------------------------------------

  function view(): ViewSection[] {
    const files = [...state.files.values()];
    const nameOf = (id: string | undefined) => (id === undefined || id === ROOT ? 'My Drive' : (state.files.get(id)?.name ?? id));
    const events = [...state.events.values()].flatMap((calendar) => [...calendar.values()]);
    return [
      {
        heading: 'Drive folders',
        columns: ['Name', 'Id', 'Parent', 'Incident', 'Link'],
        rows: files.filter((f) => f.mimeType === FOLDER).map((f) => [f.name, f.id, nameOf(f.parents[0]), f.appProperties.muster_incident ?? '', webViewLink(f)]),
      },
      {
        heading: 'Documents',
        columns: ['Name', 'Id', 'Folder', 'Text'],
        rows: files
          .filter((f) => f.mimeType === DOCUMENT)
          .map((f) => [f.name, f.id, nameOf(f.parents[0]), excerpt(state.documents.get(f.id)?.text ?? '')]),
      },
      {
        heading: 'Permissions',
        columns: ['File', 'Type', 'Email', 'Role'],
        rows: [...state.permissions].flatMap(([fileId, list]) => list.map((p) => [nameOf(fileId), p.type, p.emailAddress ?? p.domain ?? '', p.role])),
      },
      {
        heading: 'Meetings',
        columns: ['Summary', 'Event id', 'Attendees', 'Hangout link'],
        rows: events.map((e) => [e.summary ?? '', e.id, (e.attendees ?? []).map((a) => a.email).join(', '), e.hangoutLink ?? '']),
      },
      {
        heading: 'Groups',
        columns: ['Email', 'Name', 'Members'],
        rows: state.groups.map((g) => [g.email, g.name, g.members.map((m) => m.email).join(', ')]),
      },
      {
        heading: 'Mail sent',
        columns: ['From', 'To', 'Subject', 'Dedupe key', 'Text'],
        rows: state.messages.map((m) => [m.userId, m.to.join(', '), m.subject, m.headers['x-muster-dedupe'] ?? '', excerpt(m.body)]),
      },
    ];
  }

  function snapshot(): unknown {
    return {
      files: [...state.files.values()].map(fileResource),
      documents: Object.fromEntries([...state.documents].map(([id, d]) => [id, d.text])),
      permissions: Object.fromEntries(state.permissions),
      events: Object.fromEntries([...state.events].map(([calendarId, calendar]) => [calendarId, [...calendar.values()]])),
      groups: state.groups,
      messages: state.messages.map(({ headerList: _headerList, ...m }) => m),
    };
  }

  return {
    vendor: 'google',
    register,
    reset: () => {
      state = initialState();
    },
    view,
    snapshot,
  };
}
