/**
 * A small HTML template helper for the server-rendered pages: interpolations are escaped unless they are already
 * markup, so a template only has to opt out of escaping (with `raw`) where it means to, never opt in.
 *
 * Rules for templates built with it:
 * - always quote attribute values with double quotes (`title="${x}"`): escaping covers quoted attributes and text,
 *   not unquoted attributes, URLs' schemes or script/style contents;
 * - script contents go through {@link jsonForScript}, never through `html`.
 */

/** Markup that is already safe to insert as is: made only by {@link html} and {@link raw}. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What a template accepts: text (escaped), markup, lists of either; `false`, `null` and `undefined` render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for an HTML text node or a double/single-quoted attribute value. Normalises to NFC first: the page
 * is read in Vietnamese, where decomposed diacritics render badly in some fonts; normalising each piece on its own
 * (never the assembled page) keeps a leading combining mark from fusing with the template's `>` into another
 * character.
 */
export function escapeHtml(text: string): string {
  const nfc = text.normalize('NFC');
  // A piece that starts with a combining mark would combine with the markup before it (">" + U+0338 is "≯" under
  // NFC): show it on a dotted circle, as typography does for a lone mark.
  const standalone = /^\p{M}/u.test(nfc) ? `\u25CC${nfc}` : nfc;
  return standalone.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Marks a string as trusted markup. Only for constants written in code (styles, scripts, entities). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/**
 * Tagged template: `html\`<p title="${title}">${body}</p>\``. Strings and numbers are escaped, {@link SafeHtml}
 * (nested `html` results, `raw`) is inserted as is, arrays are concatenated, booleans/null/undefined render nothing
 * so that `${cond && html\`...\`}` reads naturally.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * JSON for inside a `<script>` element: `<`, `>` and `&` become `\u003c`... so no `</script>` or `<!--` can end or
 * bend the element, and U+2028/U+2029 are escaped for engines that predate JSON-superset string literals.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The page's one script: `var CONFIG = <config>;` then `code`, inside a strict-mode IIFE, with the response's CSP
 * nonce. `code` is trusted source (a String.raw constant of the view), never data.
 */
export function configuredScript(nonce: string, config: unknown, code: string): SafeHtml {
  return html`<script nonce="${nonce}">
(function () {
'use strict';
var CONFIG = ${raw(jsonForScript(config))};
${raw(code)}
})();
</script>`;
}
