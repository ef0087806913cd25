/**
 * The SMTP email adapter (nodemailer) against the sandbox's SMTP listener: what arrives, the
 * Message-ID derived from the dedupe key, and how server replies map onto the error catalog.
 */
import { join } from 'node:path';
import { messageIdFor } from '../../activities/providers/google';
import { smtpEmail } from '../../activities/providers/smtp';
import { VendorError } from '../../activities/errors';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { testEnv } from '../support/harness';
import { smtpMailbox } from '../support/notif-helpers';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: join(testEnv().dir, 'sandbox-tls') });
});
afterAll(async () => {
  await sandbox?.stop();
});
afterEach(() => sandbox.faults.clear());

const email = () => smtpEmail({ url: sandbox.smtp.url, from: 'Muster <muster@example.com>', timeoutMs: 5_000 });

test('a mail arrives with text, HTML, the derived Message-ID and the dedupe header; a resend is kept once', async () => {
  const sent = await email().send({ to: ['leadership@example.com'], subject: 'Ünïcode subject for INC-1', text: 'Plain body\nline two', html: '<p>HTML body</p>', dedupeKey: 'INC-1:1:Leadership' });
  expect(sent.id).toBe(messageIdFor('INC-1:1:Leadership'));
  const [mail] = smtpMailbox(sandbox).messages.filter((m) => m.messageId === sent.id);
  expect(mail).toMatchObject({ to: ['leadership@example.com'], from: 'muster@example.com', subject: 'Ünïcode subject for INC-1', text: 'Plain body\nline two', hasHtml: true, copies: 1 });
  expect(mail!.headers['x-muster-dedupe']).toBe('INC-1:1:Leadership');

  await email().send({ to: ['leadership@example.com'], subject: 'Ünïcode subject for INC-1', text: 'Plain body\nline two', dedupeKey: 'INC-1:1:Leadership' });
  expect(smtpMailbox(sandbox).messages.filter((m) => m.messageId === sent.id)).toEqual([expect.objectContaining({ copies: 2 })]);
  expect(smtpMailbox(sandbox).duplicates).toBe(1);
  // The page shows received mail.
  const page = await (await fetch(`${sandbox.url}/`)).text();
  expect(page).toContain('Email (SMTP)');
  expect(page).toContain('Ünïcode subject for INC-1');
});

test('4xx replies and a dead server are transient, 5xx replies permanent', async () => {
  sandbox.faults.add({ vendor: 'smtp', route: 'DATA', mode: 'fail', status: 451, times: 1 });
  await expect(email().send({ to: ['a@example.com'], subject: 's', text: 't', dedupeKey: 'k1' })).rejects.toMatchObject({ vendor: 'email', kind: 'transient', details: { status: 451 } });
  expect(smtpMailbox(sandbox).messages.some((m) => m.messageId === messageIdFor('k1'))).toBe(false);

  sandbox.faults.add({ vendor: 'smtp', route: 'DATA', mode: 'permanent', status: 550 });
  await expect(email().send({ to: ['a@example.com'], subject: 's', text: 't', dedupeKey: 'k2' })).rejects.toMatchObject({ vendor: 'email', kind: 'permanent', details: { status: 550 } });
  sandbox.faults.clear();

  const dead = smtpEmail({ url: 'smtp://127.0.0.1:1', from: 'm@example.com', timeoutMs: 2_000 });
  const err = await dead.send({ to: ['a@example.com'], subject: 's', text: 't', dedupeKey: 'k3' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(VendorError);
  expect(err).toMatchObject({ kind: 'transient' });
  await expect(email().send({ to: [], subject: 's', text: 't', dedupeKey: 'k4' })).rejects.toMatchObject({ kind: 'permanent', message: 'email sendMail: no recipients' });
});
