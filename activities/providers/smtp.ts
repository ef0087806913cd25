/**
 * EmailProvider over SMTP with nodemailer, for deployments without Gmail (Dispatch users asked
 * for it). SMTP has no way to ask "did you already take this message?", so a retried send goes
 * out again, but always under the same Message-ID (derived from the dedupe key, as Gmail's
 * adapter does): receiving MTAs and mail clients that de-duplicate by Message-ID show it once.
 */
import { createTransport } from 'nodemailer';
import { VendorError } from '../errors';
import { DEDUPE_HEADER, messageIdFor } from './google/gmail';
import type { EmailProvider } from './types';

export interface SmtpConfig {
  /** smtp://user:pass@host:587 or smtps://host:465; credentials are URL-encoded. */
  url: string;
  /** The From address, e.g. "Muster <muster@example.com>". */
  from: string;
  /** Per-connection timeouts (ms); the activity's own timeout bounds the whole send. */
  timeoutMs?: number;
}

interface SmtpErrorLike {
  message?: string;
  code?: string;
  responseCode?: number;
}

/** 4xx replies and connection trouble are worth retrying; 5xx replies are the server saying no. */
export function smtpError(operation: string, err: unknown): VendorError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpErrorLike;
  const message = e.message ?? String(err);
  if (e.responseCode !== undefined) {
    const kind = e.responseCode >= 500 ? 'permanent' : 'transient';
    return new VendorError('email', operation, kind, message, { status: e.responseCode, code: e.code });
  }
  // EAUTH (bad credentials) and EENVELOPE (no usable recipient) will not get better by retrying.
  const permanent = e.code === 'EAUTH' || e.code === 'EENVELOPE';
  return new VendorError('email', operation, permanent ? 'permanent' : 'transient', message, { code: e.code });
}

export function smtpEmail(config: SmtpConfig): EmailProvider {
  const timeout = config.timeoutMs ?? 30_000;
  // A new connection per message (no pool): a dead server cannot hang later sends.
  const transport = createTransport({ url: config.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }, { from: config.from });

  return {
    async send({ to, subject, text, html, dedupeKey }) {
      const operation = 'sendMail';
      if (to.length === 0) throw new VendorError('email', operation, 'permanent', 'no recipients');
      try {
        const info = await transport.sendMail({
          to,
          subject,
          text,
          ...(html !== undefined ? { html } : {}),
          messageId: messageIdFor(dedupeKey),
          headers: { [DEDUPE_HEADER]: dedupeKey },
        });
        return { id: info.messageId };
      } catch (err) {
        throw smtpError(operation, err);
      }
    },
  };
}
