/**
 * Mail through the Gmail API. Exactly once per dedupeKey: the key becomes the Message-ID, and
 * before sending we search the mailbox for it (Gmail cannot search custom headers, but it can
 * search `rfc822msgid:`). The key also travels as X-Muster-Dedupe for people reading headers.
 */
import type { gmail_v1 } from './apis';
import { VendorError } from '../../errors';
import type { EmailProvider } from '../types';
import { call } from './errors';

export const DEDUPE_HEADER = 'X-Muster-Dedupe';

/** A Message-ID from the key: unsafe characters become =XX so different keys stay different. */
export function messageIdFor(dedupeKey: string): string {
  const local = [...Buffer.from(dedupeKey, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._-]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<${local}@muster>`;
}

/** Header values are one line; RFC 2047 for anything beyond ASCII. */
function headerValue(value: string): string {
  const line = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

const base64Lines = (text: string) => Buffer.from(text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');

export function buildMessage(message: { from: string; to: string[]; subject: string; text: string; html?: string; dedupeKey: string }): string {
  const head = [
    `From: ${headerValue(message.from)}`,
    `To: ${message.to.map(headerValue).join(', ')}`,
    `Subject: ${headerValue(message.subject)}`,
    `Message-ID: ${messageIdFor(message.dedupeKey)}`,
    `${DEDUPE_HEADER}: ${headerValue(message.dedupeKey)}`,
    'MIME-Version: 1.0',
  ];
  if (message.html === undefined) {
    return [...head, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', base64Lines(message.text)].join('\r\n');
  }
  // The boundary only has to be absent from the (base64) parts; deriving it keeps messages reproducible.
  const boundary = `muster-${messageIdFor(message.dedupeKey).replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
  const part = (type: string, body: string) => [`--${boundary}`, `Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)];
  return [
    ...head,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    ...part('text/plain', message.text),
    ...part('text/html', message.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export function gmailEmail(gmail: gmail_v1.Gmail, sender: string): EmailProvider {
  return {
    async send({ to, subject, text, html, dedupeKey }) {
      const operation = 'sendEmail';
      if (to.length === 0) throw new VendorError('google', operation, 'permanent', 'no recipients');
      const messageId = messageIdFor(dedupeKey);
      const earlier = await call(operation, () =>
        gmail.users.messages.list({ userId: sender, q: `rfc822msgid:${messageId.slice(1, -1)}`, maxResults: 1, includeSpamTrash: true }),
      );
      const sentBefore = earlier.messages?.[0]?.id;
      if (sentBefore) return { id: sentBefore };
      const raw = Buffer.from(buildMessage({ from: sender, to, subject, text, html, dedupeKey }), 'utf8').toString('base64url');
      const sent = await call(operation, () => gmail.users.messages.send({ userId: sender, requestBody: { raw } }));
      if (!sent.id) throw new VendorError('google', operation, 'transient', 'Gmail answered without a message id');
      return { id: sent.id };
    },
  };
}
