/** Unicode hygiene for text people typed or files named: what every store, email and feed can encode. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with each half of a UTF-16 surrogate pair that has lost its other half replaced by U+FFFD. JSON allows
 * "\ud800"; such text is not valid Unicode, and the AWS SDK cannot encode it (an email quoting it would fail).
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}
