/**
 * `Content-Disposition: attachment` values for downloads (S3 presigned GET `ResponseContentDisposition`).
 *
 * Written here rather than taken from the `content-disposition` package (jshttp): that package leaves `filename*`
 * out whenever the fallback equals the name, puts ISO-8859-1 (non-ASCII) bytes in `filename="…"` when no fallback is
 * given, and throws (`encodeURIComponent`) on a lone surrogate; its 3.x line also needs Node 22. Here the value is
 * always pure ASCII and always carries both parameters:
 *
 *     attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 5987 percent-encoding of the NFC name>
 *
 * RFC 6266 section 4.3: user agents that understand `filename*` prefer it; older ones use `filename`.
 */

import { baseFileName } from '../domain/submission';

/** Used when nothing of the name is left (empty, only a path, only control characters). */
const DEFAULT_NAME = 'tai-lieu';

/** RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~". */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/** The name as it is offered for download ({@link baseFileName}); {@link DEFAULT_NAME} if nothing is left. */
function downloadFileName(fileName: string): string {
  const name = baseFileName(fileName);
  return name === '' ? DEFAULT_NAME : name;
}

/**
 * ASCII stand-in for user agents that ignore `filename*`: Vietnamese diacritics dropped (NFD, combining marks removed,
 * đ → d, Đ → D); any other non-ASCII character, control character, `"`, `\`, `/` and `%` becomes `_` (`%` because some
 * agents percent-decode `filename`, RFC 6266 appendix D). Never empty.
 */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\/%]/gu, '_') // `/` and `\` are already gone with the path: belt and braces
    .trim();
  return ascii === '' ? DEFAULT_NAME : ascii;
}

const utf8 = new TextEncoder();

/**
 * RFC 5987 value-chars: every UTF-8 byte that is not an attr-char as `%XX` (upper-case hex). A lone surrogate
 * (ill-formed UTF-16) comes out as U+FFFD (`%EF%BF%BD`), as `TextEncoder` does; `encodeURIComponent` would throw.
 */
function percentEncode(name: string): string {
  let out = '';
  for (const char of name) {
    if (ATTR_CHAR.test(char)) {
      out += char;
      continue;
    }
    for (const byte of utf8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * An RFC 6266 `attachment` Content-Disposition value for a file name as units typed it, safe to put in a header.
 *
 * @param fileName Any string; a path is dropped (only what follows the last `/` or `\` is kept) and control
 *   characters are removed, so header injection (CR/LF) is impossible.
 * @returns e.g. for "Báo cáo sơ kết 6 tháng - Đơn vị A.pdf":
 *   `attachment; filename="Bao cao so ket 6 thang - Don vi A.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20…`
 *   — pure printable ASCII.
 */
export function attachmentDisposition(fileName: string): string {
  const name = downloadFileName(fileName);
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${percentEncode(name)}`;
}
