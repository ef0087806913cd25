/**
 * The Google adapters (Drive, Docs, Calendar/Meet, Directory groups, Gmail) built on the real
 * googleapis clients. Each capability lives in ./google/; this file wires the clients.
 */
import { google, type Auth } from 'googleapis';
import type { ConferenceProvider, DocumentProvider, EmailProvider, GroupProvider, StorageProvider } from './types';
import { googleConference } from './google/calendar';
import { googleGroups } from './google/directory';
import { driveStorage, googleDocuments } from './google/drive';
import { gmailEmail } from './google/gmail';

export { conferenceEventId } from './google/calendar';
export { DEDUPE_HEADER, messageIdFor } from './google/gmail';

export interface GoogleConfig {
  /** Any googleapis auth client: OAuth2Client, a service-account JWT with a subject, GoogleAuth. */
  auth: Auth.OAuth2Client | Auth.GoogleAuth;
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
  // rootUrl has to be given to each API (google.options ignores it). Retries are off: gaxios
  // would retry GETs on 429 without honouring Retry-After, and Temporal owns retrying anyway.
  // Node's own fetch: gaxios otherwise loads node-fetch with a dynamic import(), which fails
  // inside jest's VM (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG).
  const options = { auth: config.auth, retry: false, fetchImplementation: fetch, ...(config.rootUrl ? { rootUrl: config.rootUrl } : {}) };
  const drive = google.drive({ version: 'v3', ...options });
  return {
    storage: driveStorage(drive),
    document: googleDocuments(drive, google.docs({ version: 'v1', ...options })),
    conference: googleConference(google.calendar({ version: 'v3', ...options }), config.calendarId ?? 'primary'),
    group: googleGroups(google.admin({ version: 'directory_v1', ...options }), config.domain),
    email: gmailEmail(google.gmail({ version: 'v1', ...options }), config.sender),
  };
}

/** Far enough ahead that the client never thinks the token expired and tries to refresh it. */
const NEVER = Date.UTC(9999, 0, 1);

/** An auth client that just sends this bearer token (tests, the sandbox, tokens minted elsewhere). */
export function accessTokenAuth(token: string): Auth.OAuth2Client {
  const client = new google.auth.OAuth2();
  client.setCredentials({ access_token: token, expiry_date: NEVER });
  return client;
}
