/** One pino logger per process; the Temporal SDK's logs are routed into it. */
import pino, { type Logger } from 'pino';
import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import type { MusterConfig } from '../config/env';

export type { Logger };

export function createLogger(level: MusterConfig['logLevel'], name = 'muster'): Logger {
  return pino({
    name,
    level,
    // Bearer tokens and secrets never reach a log line, whatever object gets logged.
    redact: { paths: ['req.headers.authorization', '*.token', '*.apiToken', '*.password', '*.secret'], censor: '[redacted]' },
  });
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

function temporalLogger(logger: Logger): TemporalLogger {
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]](meta ?? {}, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

let installed = false;

/**
 * Installs the Temporal runtime once per process, logging through pino. Signals are left to
 * the entry points, which decide what a clean stop means for them.
 */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  // The SDK's info lines (bundle stats, worker state) are noise unless someone is debugging.
  const level = logger.isLevelEnabled('debug') ? logger.level : 'warn';
  Runtime.install({ logger: temporalLogger(logger.child({ component: 'temporal' }, { level })), shutdownSignals: [] });
  installed = true;
}
