/**
 * One interface per capability. Every method is idempotent: a retry after a crash or timeout
 * finds what an earlier attempt made (deterministic names, vendor-side properties or labels)
 * and never makes a second one. Errors are thrown as VendorError (../errors.ts).
 */

export interface ChannelRef {
  id: string;
  name: string;
  url: string;
}

export interface ChatProvider {
  /** Finds the channel by name or creates it; unarchives a found archived channel only if asked. */
  ensureChannel(input: { name: string; private: boolean }): Promise<ChannelRef>;
  setTopic(channelId: string, topic: string): Promise<void>;
  setPurpose(channelId: string, purpose: string): Promise<void>;
  /** Invites people by email; emails with no account are returned, not thrown. */
  inviteByEmail(channelId: string, emails: string[]): Promise<{ invited: string[]; unknown: string[] }>;
  /** Adds a link bookmark unless one with the same link exists. */
  ensureBookmark(channelId: string, bookmark: { title: string; link: string }): Promise<void>;
  /** Posts once per dedupeKey (kept in the message's metadata): a retry finds the first post. */
  postMessage(
    channelId: string,
    message: { text: string; blocks?: unknown[]; dedupeKey: string; /** Metadata event type the key is kept under (default `muster`). */ eventType?: string },
  ): Promise<{ ts: string }>;
  postEphemeral(channelId: string, email: string, text: string): Promise<void>;
  archive(channelId: string): Promise<void>;
  unarchive(channelId: string): Promise<void>;
  /** A direct message from the bot to one person, once per dedupeKey; undefined when they have no account. */
  postDirectMessage(email: string, message: { text: string; blocks?: unknown[]; dedupeKey: string }): Promise<{ ts: string } | undefined>;
  /** The chat account with this email, or undefined when there is none. */
  findUser?(email: string): Promise<{ id: string } | undefined>;
  /** An existing channel by name (without #), archived ones included; undefined when there is none the bot can see. */
  findChannel(name: string): Promise<ChannelRef | undefined>;
}

export interface TicketRef {
  key: string;
  url: string;
}

export interface TicketProvider {
  /** Finds the incident's ticket by its label (muster-<incident id>) or creates it. */
  ensureTicket(input: { incidentId: string; summary: string; description: string; labels?: string[] }): Promise<TicketRef>;
  updateTicket(key: string, changes: { summary?: string; description?: string; links?: Array<{ title: string; url: string }> }): Promise<void>;
  /** Moves the ticket to the first transition whose target status matches (e.g. Done / To Do). */
  transition(key: string, to: 'resolved' | 'open'): Promise<void>;
  /** Adds and removes labels, leaving the others; adding one it has or removing one it lacks is fine. */
  updateLabels?(key: string, change: { add: string[]; remove: string[] }): Promise<void>;
}

export interface FileRef {
  id: string;
  url: string;
}

export interface StorageProvider {
  /** Finds the incident's folder by its app properties or creates it. */
  ensureFolder(input: { incidentId: string; name: string; parentId?: string }): Promise<FileRef>;
  /** Shares with a user or group email; sharing twice is fine. */
  share(fileId: string, grant: { email: string; type: 'user' | 'group'; role: 'reader' | 'commenter' | 'writer' }): Promise<void>;
  /** Folders and documents carry the incident's title; renaming to the same name is fine. */
  rename(fileId: string, name: string): Promise<void>;
}

export interface DocumentProvider {
  /** Finds the incident's document of this kind by app properties or copies it from the template. */
  ensureFromTemplate(input: { incidentId: string; kind: string; templateId: string; name: string; folderId: string }): Promise<FileRef>;
  /** Replaces every {{key}} with its value. */
  fillIn(documentId: string, values: Record<string, string>): Promise<void>;
}

export interface ConferenceProvider {
  /** A calendar event with a video link, under an id derived from the incident, inviting the attendees. */
  ensureConference(input: { incidentId: string; title: string; description: string; attendees: string[] }): Promise<FileRef>;
  updateConference(conferenceId: string, changes: { title?: string; attendees?: string[] }): Promise<void>;
  /** A calendar event with a video link at a set time, one per incident and kind (e.g. the review meeting). */
  scheduleMeeting(input: { incidentId: string; kind: string; title: string; description: string; attendees: string[]; start: string; end: string }): Promise<FileRef>;
}

export interface GroupRef {
  id: string;
  email: string;
}

export interface GroupProvider {
  ensureGroup(input: { email: string; name: string; description: string }): Promise<GroupRef>;
  /** Adding someone already in the group is fine. */
  addMembers(groupEmail: string, emails: string[]): Promise<void>;
  removeMembers(groupEmail: string, emails: string[]): Promise<void>;
}

export interface OnCallPerson {
  email: string;
  name: string;
  level: number;
}

export interface OnCallProvider {
  /** Who is on call now for a service, lowest escalation level first. */
  currentOnCall(serviceId: string): Promise<OnCallPerson[]>;
  /** Pages once per dedupKey, however often it is called. */
  page(input: { serviceId: string; dedupKey: string; title: string; details: string; links: Array<{ href: string; text: string }> }): Promise<{ id: string }>;
}

export interface EmailProvider {
  /** Sends once per dedupeKey where the vendor can tell (Gmail); always under the Message-ID derived from it. */
  send(message: { to: string[]; subject: string; text: string; /** An HTML alternative to the text. */ html?: string; dedupeKey: string }): Promise<{ id: string }>;
}

export interface Providers {
  chat: ChatProvider;
  ticket: TicketProvider;
  storage: StorageProvider;
  document: DocumentProvider;
  conference: ConferenceProvider;
  group: GroupProvider;
  oncall: OnCallProvider;
  email: EmailProvider;
}
