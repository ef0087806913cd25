/**
 * A loopback SMTP listener (smtp-server) that keeps what it receives, one mail per Message-ID
 * as a de-duplicating MTA would, and counts the copies it got beyond the first. Faults set on
 * the sandbox for vendor `smtp`, route `DATA` apply: `fail` answers 451 without keeping the
 * mail; with `afterHandler` it keeps the mail and still answers 451 (a lost reply).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Faults, RequestLog, Route, VendorModule, ViewSection } from './core';
import { parseMime } from './google';

export interface ReceivedMail {
  messageId: string;
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  /** The plain-text part. */
  text: string;
  /** Whether the mail had an HTML alternative. */
  hasHtml: boolean;
  headers: Record<string, string>;
  receivedAt: string;
  /** How many times it arrived; more than 1 means a sender retried. */
  copies: number;
}

export interface SmtpSandbox {
  host: string;
  port: number;
  /** smtp://host:port, for SMTP_URL. */
  url: string;
  module: VendorModule;
  mailbox(): ReceivedMail[];
  stop(): Promise<void>;
}

/** What faults and the request log see an SMTP delivery as. */
const DATA_ROUTE = { vendor: 'smtp', name: 'DATA' } as Route;

async function readAll(stream: SMTPServerDataStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const smtpReply = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpSandbox(options: { host: string; port?: number; faults: Faults; log: RequestLog }): Promise<SmtpSandbox> {
  const { host, faults, log } = options;
  let mails: ReceivedMail[] = [];

  const receive = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<{ status: number; mail?: ReceivedMail; reason?: string }> => {
    const raw = await readAll(stream);
    const { fault, latencyMs } = faults.take(DATA_ROUTE);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (fault && !fault.afterHandler) return { status: fault.status ?? 451, reason: 'sandbox fault: try again later' };
    const mime = parseMime(raw);
    const headers = Object.fromEntries(mime.headers.map((h) => [h.name.toLowerCase(), h.value]));
    const messageId = headers['message-id'] ?? `<sandbox-${mails.length + 1}@smtp>`;
    const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
    const existing = mails.find((m) => m.messageId === messageId);
    let mail: ReceivedMail;
    if (existing) {
      existing.copies += 1;
      mail = existing;
    } else {
      mail = {
        messageId,
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to,
        subject: headers.subject ?? '',
        text: mime.body.replace(/\r\n/g, '\n').trimEnd(),
        hasHtml: /content-type:\s*text\/html/i.test(raw),
        headers,
        receivedAt: new Date().toISOString(),
        copies: 1,
      };
      mails.push(mail);
    }
    if (fault) return { status: fault.status ?? 451, mail, reason: 'sandbox fault: reply lost after the mail was kept' };
    return { status: 250, mail };
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Accept any credentials: the sandbox checks what arrives, not who sends it.
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'sandbox' });
    },
    onData(stream, session, callback) {
      const startedAt = new Date().toISOString();
      receive(stream, session).then(
        ({ status, mail, reason }) => {
          log.add({
            startedAt,
            vendor: 'smtp',
            route: 'DATA',
            method: 'DATA',
            path: '/smtp',
            query: {},
            body: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), messageId: mail?.messageId, subject: mail?.subject },
            status,
            response: reason ?? 'queued',
            ...(status !== 250 ? { fault: 'fail' as const } : {}),
          });
          callback(status === 250 ? null : smtpReply(status, reason ?? 'rejected'));
        },
        (err: unknown) => callback(smtpReply(451, `sandbox bug: ${String(err)}`)),
      );
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    const listener = server.listen(options.port ?? 0, host, () => resolve((listener.address() as AddressInfo).port));
  });

  const module: VendorModule = {
    vendor: 'smtp',
    register() {
      // Mail arrives over SMTP, not HTTP.
    },
    reset() {
      mails = [];
    },
    view(): ViewSection[] {
      return [
        {
          heading: 'Received mail',
          columns: ['To', 'Subject', 'Message-ID', 'Copies', 'Text'],
          rows: mails.map((m) => [m.to.join(', '), m.subject, m.messageId, String(m.copies), m.text.length > 300 ? `${m.text.slice(0, 300)}…` : m.text]),
        },
      ];
    },
    snapshot() {
      return { port, messages: mails.map((m) => ({ ...m, to: [...m.to] })), duplicates: mails.reduce((sum, m) => sum + m.copies - 1, 0) };
    },
  };

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    module,
    mailbox: () => mails.map((m) => ({ ...m })),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
