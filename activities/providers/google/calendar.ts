/**
 * Meet conferences as Calendar events. The event id is derived from the incident id, so a
 * retried create collides (409) with the first one and we read that instead of making another.
 */
import type { calendar_v3 } from './apis';
import { VendorError } from '../../errors';
import type { ConferenceProvider, FileRef } from '../types';
import { call, callUnless } from './errors';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 base32hex, lower case and unpadded: exactly the characters Calendar allows in ids. */
export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/** 'muster' + base32hex(incident id): stable across retries, valid for Calendar (a-v, 0-9, 5-1024 chars). */
export const conferenceEventId = (incidentId: string) => `muster${base32hex(Buffer.from(incidentId, 'utf8'))}`;

/** How long the placeholder event lasts; the incident's conference is used for its link, not its slot. */
const EVENT_DURATION_MS = 60 * 60 * 1000;

function toRef(event: calendar_v3.Schema$Event, operation: string): FileRef {
  const conference = event.conferenceData;
  const link = event.hangoutLink ?? conference?.entryPoints?.find((e) => e.entryPointType === 'video')?.uri;
  if (link && event.id) return { id: event.id, url: link };
  // Meet creation is asynchronous: 'pending' settles on its own (retry reads the event again),
  // 'failure' means this calendar cannot host Meet and retrying will not help.
  const status = conference?.createRequest?.status?.statusCode;
  if (status === 'failure') throw new VendorError('google', operation, 'permanent', `Calendar could not create a Meet conference for event ${event.id}`);
  throw new VendorError('google', operation, 'transient', `the Meet conference for event ${event.id} is not ready yet (${status ?? 'no conference data'})`);
}

export function googleConference(calendar: calendar_v3.Calendar, calendarId: string): ConferenceProvider {
  return {
    async ensureConference({ incidentId, title, description, attendees }) {
      const operation = 'ensureConference';
      const eventId = conferenceEventId(incidentId);
      const start = Date.now();
      const created = await callUnless(operation, [409], () =>
        calendar.events.insert({
          calendarId,
          conferenceDataVersion: 1,
          sendUpdates: 'all',
          requestBody: {
            id: eventId,
            summary: title,
            description,
            start: { dateTime: new Date(start).toISOString() },
            end: { dateTime: new Date(start + EVENT_DURATION_MS).toISOString() },
            attendees: attendees.map((email) => ({ email })),
            // The request id only has to be unique per conference; the event id is.
            conferenceData: { createRequest: { requestId: eventId, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
          },
        }),
      );
      const event = created ?? (await call(operation, () => calendar.events.get({ calendarId, eventId })));
      return toRef(event, operation);
    },

    async scheduleMeeting({ incidentId, kind, title, description, attendees, start, end }) {
      const operation = 'scheduleMeeting';
      // Its own id per incident and kind, so a retry collides with the first insert like ensureConference.
      const eventId = conferenceEventId(`${incidentId}/${kind}`);
      const created = await callUnless(operation, [409], () =>
        calendar.events.insert({
          calendarId,
          conferenceDataVersion: 1,
          sendUpdates: 'all',
          requestBody: {
            id: eventId,
            summary: title,
            description,
            start: { dateTime: start },
            end: { dateTime: end },
            attendees: attendees.map((email) => ({ email })),
            conferenceData: { createRequest: { requestId: eventId, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
          },
        }),
      );
      const event = created ?? (await call(operation, () => calendar.events.get({ calendarId, eventId })));
      return toRef(event, operation);
    },

    async updateConference(conferenceId, { title, attendees }) {
      const operation = 'updateConference';
      let attendeeList: calendar_v3.Schema$EventAttendee[] | undefined;
      if (attendees) {
        // `attendees` is the whole invite list; keep the entries (and their replies) of people still on it.
        const current = await call(operation, () => calendar.events.get({ calendarId, eventId: conferenceId }));
        const known = new Map((current.attendees ?? []).map((a) => [a.email?.toLowerCase(), a]));
        attendeeList = attendees.map((email) => known.get(email.toLowerCase()) ?? { email });
      }
      if (title === undefined && attendeeList === undefined) return;
      await call(operation, () =>
        calendar.events.patch({
          calendarId,
          eventId: conferenceId,
          sendUpdates: 'all',
          requestBody: { ...(title === undefined ? {} : { summary: title }), ...(attendeeList ? { attendees: attendeeList } : {}) },
        }),
      );
    },
  };
}
