/**
 * The SES emulator's mailbox (`GET <mailboxUrl>/store`), shared by the tests that check what was emailed. Every test
 * file talks to the same emulator: filter by recipient, and by time where other files may write to the same address.
 */
import type { StackInfo } from '../../local/stack';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text: string; html: string };
  /** Epoch seconds, as the emulator stamps it. */
  at: number;
}

/** Mail to `address` (To, Cc or Bcc), only what was stored at or after `since` (epoch seconds) when given. */
export async function mailTo(stack: Pick<StackInfo, 'mailboxUrl'>, address: string, since?: number): Promise<StoredEmail[]> {
  const response = await fetch(`${stack.mailboxUrl}/store${since === undefined ? '' : `?since=${since}`}`);
  if (response.status !== 200) throw new Error(`SES emulator answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter(
    (e) => [...e.destination.to, ...(e.destination.cc ?? []), ...(e.destination.bcc ?? [])].includes(address) && (since === undefined || e.at >= since),
  );
}

/** Waits (up to `timeoutMs`) for mail to `address` that `matches`: senders run just after the request that caused them. */
export async function waitForMail(
  stack: Pick<StackInfo, 'mailboxUrl'>,
  address: string,
  options: { since?: number; matches?: (mail: StoredEmail) => boolean; timeoutMs?: number } = {},
): Promise<StoredEmail[]> {
  const until = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const found = (await mailTo(stack, address, options.since)).filter(options.matches ?? (() => true));
    if (found.length > 0 || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
