/**
 * The Google adapters (Drive, Docs, Calendar/Meet, Directory groups, Gmail) built on the real
 * googleapis clients. Each capability lives in ./google/; this file wires the clients.
 */
import { admin, auth, calendar, docs, drive, gmail, type GoogleAuth, type OAuth2Client } from './google/apis';
import type { ConferenceProvider, DocumentProvider, EmailProvider, GroupProvider, StorageProvider } from './types';
import { googleConference } from './google/calendar';
import { googleGroups } from './google/directory';
import { driveStorage, googleDocuments } from './google/drive';
import { gmailEmail } from './google/gmail';

export { conferenceEventId } from './google/calendar';
export { DEDUPE_HEADER, messageIdFor } from './google/gmail';

export interface GoogleConfig {
  /** Any googleapis auth client: OAuth2Client, a service-account JWT with a subject, GoogleAuth. */
  auth: OAuth2Client | GoogleAuth;
  /** e.g. the sandbox's `http://127.0.0.1:PORT/`; Google's own hosts when unset. */
  rootUrl?: string;
  /** The Workspace domain groups are made in. */
  domain: string;
  /** 'primary' unless set. */
  calendarId?: string;
  /** The Gmail user mail is sent as, e.g. muster@example.com. */
  sender: string;
}

export interface GoogleProviders {
  storage: StorageProvider;
  document: DocumentProvider;
  conference: ConferenceProvider;
  group: GroupProvider;
  email: EmailProvider;
}

export function googleProviders(config: GoogleConfig): GoogleProviders {
  // rootUrl has to be given to each API (googleapis' global options ignore it). Retries are off: gaxios
  // would retry GETs on 429 without honouring Retry-After, and Temporal owns retrying anyway.
  // Node's own fetch: gaxios otherwise loads node-fetch with a dynamic import(), which fails
  // inside jest's VM (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG).
  const options = { auth: config.auth, retry: false, fetchImplementation: fetch, ...(config.rootUrl ? { rootUrl: config.rootUrl } : {}) };
  const files = drive({ version: 'v3', ...options });
  return {
    storage: driveStorage(files),
    document: googleDocuments(files, docs({ version: 'v1', ...options })),
    conference: googleConference(calendar({ version: 'v3', ...options }), config.calendarId ?? 'primary'),
    group: googleGroups(admin({ version: 'directory_v1', ...options }), config.domain),
    email: gmailEmail(gmail({ version: 'v1', ...options }), config.sender),
  };
}

/** Far enough ahead that the client never thinks the token expired and tries to refresh it. */
const NEVER = Date.UTC(9999, 0, 1);

/** An auth client that just sends this bearer token (tests, the sandbox, tokens minted elsewhere). */
export function accessTokenAuth(token: string): OAuth2Client {
  const client = new auth.OAuth2();
  client.setCredentials({ access_token: token, expiry_date: NEVER });
  return client;
}
