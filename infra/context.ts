/**
 * Parsing and validation of the CDK context values the app reads (`cdk.json` or `--context key=value`). Each parser
 * throws a ConfigError whose message names the context key and the expected form, so that a bad value stops synth
 * early with something a person can act on. The stage configurations (`stages`, infra/config.ts) reuse them.
 */

/** A wrong or missing configuration value; the message says which and what is expected (one line per problem). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A context value as a non-empty string, or undefined when absent or empty. */
export function contextString(node: { tryGetContext(key: string): unknown }, key: string): string | undefined {
  const value = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`Context ${key} must be a string`);
  return value;
}

/**
 * The web origin the app is served from (`https://host[:port]`, nothing after it), e.g. `https://thi-dua.example.org`.
 * The uploads bucket's CORS rule allows exactly this origin, so it must be written the way browsers send the `Origin`
 * header: https, lowercase host, no default port, no path, no trailing slash.
 */
export function parseAppOrigin(value: string): string {
  const problem = `Invalid appOrigin "${value}": expected an https origin such as https://thi-dua.example.org (lowercase host, no path, no trailing slash)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(problem);
  }
  // WHATWG URLs accept hosts such as `*.example.org`, which S3 CORS would read as a wildcard: DNS names only.
  const dnsHost = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(url.hostname);
  if (url.protocol !== 'https:' || url.origin !== value || !dnsHost) throw new ConfigError(problem);
  return value;
}

/** The sender of the app's email, parsed from context `mailFrom`. */
export interface MailSender {
  /** The context value as given, e.g. `Cụm Thi đua <no-reply@example.org>`. */
  readonly raw: string;
  /** The display name, if any (`Cụm Thi đua`). */
  readonly displayName?: string;
  /** The address (`no-reply@example.org`). */
  readonly address: string;
  /** The address's domain, lowercase (`example.org`): the SES identity the sender is authorised by. */
  readonly domain: string;
  /**
   * What SES accepts as `Source`: the address, with the display name in RFC 2047 encoded words when it is not plain
   * ASCII (SES does not accept raw non-ASCII in the friendly-from name, and Vietnamese names are rarely ASCII).
   */
  readonly sesSource: string;
}

/** ASCII local part (SES has no SMTPUTF8) and a DNS domain with at least one dot. */
const ADDRESS = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/;
const NAMED_ADDRESS = /^([^<>"\\\r\n\t]*?)\s*<([^<>\s]+)>$/;
/** A display name that can stay as it is in a header: RFC 5322 atext and spaces. */
const PLAIN_DISPLAY_NAME = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;

/**
 * Parses `Name <sender@domain>` or a bare `sender@domain`. The domain becomes the SES identity in the sending
 * permission, so only an address whose domain is a DNS name passes.
 */
export function parseMailFrom(value: string): MailSender {
  const problem =
    `Invalid mailFrom "${value}": expected "Display Name <sender@example.org>" or "sender@example.org" ` +
    '(ASCII address, domain with at least one dot; the name may be Vietnamese)';
  const trimmed = value.trim();
  const named = NAMED_ADDRESS.exec(trimmed);
  const displayName = named ? named[1]!.trim() : undefined;
  const address = named ? named[2]! : trimmed;
  const match = ADDRESS.exec(address);
  if (!match || (named && !displayName)) throw new ConfigError(problem);
  const domain = match[2]!.toLowerCase();
  const sesSource = displayName ? `${encodeDisplayName(displayName)} <${address}>` : address;
  return { raw: value, ...(displayName ? { displayName } : {}), address, domain, sesSource };
}

/**
 * RFC 2047 "B" encoding of a display name, split into encoded words of at most 75 characters (never inside a
 * character); a name of plain ASCII words is returned unchanged.
 */
export function encodeDisplayName(name: string): string {
  if (PLAIN_DISPLAY_NAME.test(name)) return name;
  // 45 bytes -> 60 base64 characters; with "=?UTF-8?B?" and "?=" that is 72 <= 75.
  const maxBytes = 45;
  const words: string[] = [];
  let chunk = '';
  for (const char of name) {
    if (Buffer.byteLength(chunk + char, 'utf8') > maxBytes) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** What the reminder function paces its emails at when context `sesMaxSendRate` is not given (emails per second). */
export const DEFAULT_SES_MAX_SEND_RATE = 10;

/**
 * The account's SES maximum send rate (emails per second), from context `sesMaxSendRate`: the reminder function
 * paces its emails at this rate (`MAX_SEND_RATE`). A number from 1 to 1000; `--context sesMaxSendRate=14` arrives as
 * the string "14", which is accepted too. Undefined, null or '' give the default.
 */
export function parseSesMaxSendRate(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_SES_MAX_SEND_RATE;
  const rate =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(rate) || rate < 1 || rate > 1000) {
    throw new ConfigError(
      `Invalid sesMaxSendRate ${JSON.stringify(value)}: expected the account's SES maximum send rate in emails per ` +
        'second, a number from 1 to 1000 (e.g. --context sesMaxSendRate=14; 1 in the SES sandbox)',
    );
  }
  return rate;
}
