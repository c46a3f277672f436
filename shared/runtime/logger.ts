/**
 * The one logger (Powertools, structured JSON). Secrets never reach it: callers log route templates, not raw
 * paths, and `redact` masks what may carry a token or an address.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cum-thi-dua' });

/** Masks email addresses and long opaque tokens in a string meant for a log line. */
export function redact(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/[A-Za-z0-9_-]{32,}(?:\.[A-Za-z0-9_-]{16,})*/g, '[token]');
}
