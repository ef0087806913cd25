/** `npm run sandbox`: the vendor emulators alone, on fixed ports. */
import { join } from 'node:path';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.MUSTER_SANDBOX_PORT ?? 4010);
  const tlsPort = Number(process.env.MUSTER_SANDBOX_TLS_PORT ?? 4011);
  const sandbox = await startSandbox({ port, tlsPort, dataDir: join(process.cwd(), '.muster', 'sandbox') });
  console.log(`Sandbox: ${sandbox.url} (page at /, control API at /_sandbox/)`);
  console.log(`PagerDuty Events (https): ${sandbox.tlsServer}, CA ${sandbox.caPath}`);
  const stop = () => void sandbox.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
