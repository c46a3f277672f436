/**
 * A small fake of the DOM and network APIs that the member pages' inline scripts use, for running a rendered page's
 * script in a VM (`vm.runInNewContext`) from unit tests, and the helpers that split a rendered page into its script
 * and its markup.
 */
import { expect } from 'vitest';

/** An element: the properties the scripts read or write, its attributes, and the listeners they add. */
export class FakeElement {
  /** An input's, select's or textarea's text; a `<progress>`'s number. */
  value: string | number = '';
  textContent = '';
  disabled = false;
  hidden = true;
  href = '';
  files: unknown[] | null = null;
  /** How many times `focus()` was called. */
  focused = 0;
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  /** Calls the listeners of `type` with `event`, as the browser would. */
  dispatch(type: string, event: unknown = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
  focus(): void {
    this.focused += 1;
  }
}

/** The part of a fetch `Response` the scripts use. */
export interface FakeResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/** A response with `status` and a JSON `body`; without a body, `json()` rejects as a real empty response would. */
export const respond = (status: number, body?: unknown): FakeResponse => ({
  ok: status >= 200 && status < 300,
  status,
  json: () => (body === undefined ? Promise.reject(new SyntaxError('no body')) : Promise.resolve(body)),
});

/** Lets the promises a script started run out: `rounds` turns of the event loop. */
export async function settle(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** The page's one inline script (the test fails when there is none). */
export function scriptOf(page: string): string {
  const m = /<script nonce="[^"]*">([\s\S]*?)<\/script>/.exec(page);
  expect(m).not.toBeNull();
  return m![1]!;
}

/** The page without its scripts' contents, to check what the markup alone shows. */
export const markupOf = (page: string): string => page.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2');
