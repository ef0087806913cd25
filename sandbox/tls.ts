/**
 * A self-signed certificate for 127.0.0.1, made on first use with openssl and kept in the data
 * folder: PagerDuty's Events SDK only speaks https, so its emulator must too. Callers trust it
 * explicitly (an https.Agent with this CA); nothing global changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxCertificate {
  cert: string;
  key: string;
  certPath: string;
}

export function ensureSandboxCertificate(dir: string): SandboxCertificate {
  const certPath = join(dir, 'sandbox-cert.pem');
  const keyPath = join(dir, 'sandbox-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyPath, '-out', certPath],
        { stdio: 'pipe' },
      );
    } catch (err) {
      throw new Error(`Could not make the sandbox's TLS certificate with openssl (install it: apt-get install openssl): ${(err as Error).message}`);
    }
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}
