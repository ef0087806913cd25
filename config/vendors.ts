/**
 * Vendor credentials and endpoints, from the environment. Each vendor is optional: Muster makes
 * only the resources whose vendor is configured. With no vendor configured at all, `npm start`
 * runs the loopback sandbox and points every vendor at it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const optional = z.string().trim().min(1).optional();

export const vendorEnvSchema = z.object({
  SLACK_BOT_TOKEN: optional,
  SLACK_API_URL: optional,
  GOOGLE_ACCESS_TOKEN: optional,
  /** A service account's JSON key file, used with domain-wide delegation as GOOGLE_SUBJECT. */
  GOOGLE_SERVICE_ACCOUNT_FILE: optional,
  GOOGLE_SUBJECT: optional,
  GOOGLE_API_ROOT_URL: optional,
  GOOGLE_DOMAIN: optional,
  GOOGLE_SENDER: optional,
  JIRA_HOST: optional,
  JIRA_EMAIL: optional,
  JIRA_API_TOKEN: optional,
  JIRA_PROJECT_KEY: optional,
  PAGERDUTY_TOKEN: optional,
  PAGERDUTY_FROM: optional,
  PAGERDUTY_API_URL: optional,
  PAGERDUTY_EVENTS_SERVER: optional,
  /** An extra CA (PEM file) to trust for PagerDuty Events, e.g. the sandbox's. */
  PAGERDUTY_CA_FILE: optional,
  /** serviceId=routingKey,... */
  PAGERDUTY_ROUTING_KEYS: optional,
  MUSTER_DOCUMENT_TEMPLATE: optional,
  /** smtp://user:pass@host:587 (or smtps://); SMTP_URL_FILE names a file holding it (a secret). */
  SMTP_URL: optional,
  SMTP_URL_FILE: optional,
  /** The From address of mail sent over SMTP. */
  SMTP_FROM: optional,
  /** How mail goes out: auto (SMTP when SMTP_URL is set, else Gmail when Google is configured), gmail or smtp. */
  MUSTER_EMAIL: z.enum(['auto', 'gmail', 'smtp']).default('auto'),
  /** auto: use the sandbox when no vendor is configured; off: never. */
  MUSTER_SANDBOX: z.enum(['auto', 'off']).default('auto'),
  /** How the sandbox takes mail when `npm start` runs it: through its SMTP listener or its Gmail. */
  MUSTER_SANDBOX_EMAIL: z.enum(['gmail', 'smtp']).default('smtp'),
  MUSTER_SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  MUSTER_SANDBOX_TLS_PORT: z.coerce.number().int().min(0).max(65_535).default(4011),
});

export type VendorEnv = z.infer<typeof vendorEnvSchema>;

export interface VendorConfig {
  slack?: { token: string; apiUrl?: string };
  google?: {
    /** Either a bearer token (tests, the sandbox) or a service account acting as a Workspace user. */
    auth: { accessToken: string } | { serviceAccountFile: string; subject: string };
    rootUrl?: string;
    domain: string;
    sender: string;
  };
  jira?: { host: string; email: string; apiToken: string; projectKey: string };
  pagerduty?: { token: string; from: string; apiUrl?: string; eventsServer?: string; caFile?: string; routingKeys: Record<string, string> };
  documentTemplate?: string;
  /** Mail over SMTP instead of Gmail (chosen by MUSTER_EMAIL / SMTP_URL). */
  smtp?: { url: string; from: string };
  /** Which adapter sends mail: Gmail (with Google), SMTP, or none. */
  email?: 'gmail' | 'smtp';
  /** With the sandbox: which of its mail endpoints Muster uses. */
  sandboxEmail?: 'gmail' | 'smtp';
  sandbox: { mode: 'auto' | 'off'; port: number; tlsPort: number };
}

/** A vendor counts as configured only when all its required settings are there; half is an error. */
export function vendorConfig(env: VendorEnv, problems: string[]): VendorConfig {
  const all = <K extends keyof VendorEnv>(vendor: string, keys: K[]): boolean => {
    const present = keys.filter((key) => env[key] !== undefined);
    if (present.length > 0 && present.length < keys.length) {
      problems.push(`${vendor}: set ${keys.filter((key) => env[key] === undefined).join(', ')} too (or none of ${keys.join(', ')})`);
    }
    return present.length === keys.length;
  };
  const routingKeys = Object.fromEntries(
    (env.PAGERDUTY_ROUTING_KEYS ?? '')
      .split(',')
      .map((pair) => pair.trim().split('='))
      .filter((pair): pair is [string, string] => pair.length === 2 && !!pair[0] && !!pair[1]),
  );
  const google = googleConfig(env, all);
  const smtp = smtpConfig(env, problems);
  const email = env.MUSTER_EMAIL === 'auto' ? (smtp ? 'smtp' : google ? 'gmail' : undefined) : env.MUSTER_EMAIL;
  if (email === 'smtp' && !smtp) problems.push('MUSTER_EMAIL=smtp: set SMTP_URL (or SMTP_URL_FILE) and SMTP_FROM');
  if (email === 'gmail' && !google) problems.push('MUSTER_EMAIL=gmail: configure Google (GOOGLE_DOMAIN, GOOGLE_SENDER and credentials)');
  return {
    slack: all('Slack', ['SLACK_BOT_TOKEN']) ? { token: env.SLACK_BOT_TOKEN!, apiUrl: env.SLACK_API_URL } : undefined,
    google,
    jira: all('Jira', ['JIRA_HOST', 'JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PROJECT_KEY'])
      ? { host: env.JIRA_HOST!, email: env.JIRA_EMAIL!, apiToken: env.JIRA_API_TOKEN!, projectKey: env.JIRA_PROJECT_KEY! }
      : undefined,
    pagerduty: all('PagerDuty', ['PAGERDUTY_TOKEN', 'PAGERDUTY_FROM'])
      ? { token: env.PAGERDUTY_TOKEN!, from: env.PAGERDUTY_FROM!, apiUrl: env.PAGERDUTY_API_URL, eventsServer: env.PAGERDUTY_EVENTS_SERVER, caFile: env.PAGERDUTY_CA_FILE, routingKeys }
      : undefined,
    documentTemplate: env.MUSTER_DOCUMENT_TEMPLATE,
    smtp,
    email,
    sandboxEmail: env.MUSTER_SANDBOX_EMAIL,
    sandbox: { mode: env.MUSTER_SANDBOX, port: env.MUSTER_SANDBOX_PORT, tlsPort: env.MUSTER_SANDBOX_TLS_PORT },
  };
}

/** SMTP_URL or the file SMTP_URL_FILE names (a secret), with SMTP_FROM. */
function smtpConfig(env: VendorEnv, problems: string[]): VendorConfig['smtp'] {
  let url = env.SMTP_URL;
  if (!url && env.SMTP_URL_FILE) {
    try {
      url = readFileSync(env.SMTP_URL_FILE, 'utf8').trim() || undefined;
    } catch (err) {
      problems.push(`SMTP_URL_FILE (${env.SMTP_URL_FILE}): cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (!url && !env.SMTP_FROM) return undefined;
  if (!url || !env.SMTP_FROM) {
    problems.push(`SMTP: set ${url ? 'SMTP_FROM' : 'SMTP_URL (or SMTP_URL_FILE)'} too`);
    return undefined;
  }
  // Never echo the URL: it may carry a password.
  if (!/^smtps?:\/\/[^/\s]+/i.test(url)) {
    problems.push('SMTP_URL: must look like smtp://user:password@host:587 or smtps://host:465 (the value is not shown here)');
    return undefined;
  }
  return { url, from: env.SMTP_FROM };
}

function googleConfig(env: VendorEnv, all: <K extends keyof VendorEnv>(vendor: string, keys: K[]) => boolean): VendorConfig['google'] {
  const serviceAccount = all('Google service account', ['GOOGLE_SERVICE_ACCOUNT_FILE', 'GOOGLE_SUBJECT']);
  const token = env.GOOGLE_ACCESS_TOKEN !== undefined;
  if (!serviceAccount && !token) {
    all('Google', ['GOOGLE_DOMAIN', 'GOOGLE_SENDER', 'GOOGLE_ACCESS_TOKEN']);
    return undefined;
  }
  if (!all('Google', ['GOOGLE_DOMAIN', 'GOOGLE_SENDER'])) return undefined;
  return {
    auth: serviceAccount ? { serviceAccountFile: env.GOOGLE_SERVICE_ACCOUNT_FILE!, subject: env.GOOGLE_SUBJECT! } : { accessToken: env.GOOGLE_ACCESS_TOKEN! },
    rootUrl: env.GOOGLE_API_ROOT_URL,
    domain: env.GOOGLE_DOMAIN!,
    sender: env.GOOGLE_SENDER!,
  };
}

export function anyVendorConfigured(vendors: VendorConfig): boolean {
  return !!(vendors.slack || vendors.google || vendors.jira || vendors.pagerduty);
}
