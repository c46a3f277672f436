import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from '../../shared/http/content-disposition';

/**
 * RFC 6266 / RFC 5987 grammar of exactly what we emit:
 *   attachment; filename="<qdtext without quoted-pairs>"; filename*=UTF-8''<value-chars>
 * qdtext here: printable ASCII except `"` and `\` (we never need a quoted-pair);
 * value-chars = *( pct-encoded / attr-char ), attr-char = ALPHA / DIGIT / "!#$&+-.^_`|~".
 */
const GRAMMAR = /^attachment; filename="([\x20\x21\x23-\x5b\x5d-\x7e]+)"; filename\*=UTF-8''((?:%[0-9A-F]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*)$/;

function parse(header: string): { fallback: string; encoded: string; name: string } {
  const match = GRAMMAR.exec(header);
  if (!match) throw new Error(`not in the grammar: ${JSON.stringify(header)}`);
  const [, fallback = '', encoded = ''] = match;
  return { fallback, encoded, name: decodeURIComponent(encoded) };
}

/** What filename* must carry, written independently of the implementation. */
function expectedName(input: string): string {
  const cleaned = (input as any)
    .toWellFormed()
    .normalize('NFC')
    .split('')
    // No C0, DEL or C1 control, no bidirectional mark, embedding, override or isolate.
    .filter((c: string) => !/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(c))
    .join('')
    .split(/[/\\]/)
    .pop();
  return cleaned === '' ? 'tai-lieu' : cleaned;
}

describe('attachmentDisposition', () => {
  it('gives a Vietnamese name an ASCII fallback without diacritics and an exact UTF-8 filename*', () => {
    const header = attachmentDisposition('Báo cáo sơ kết 6 tháng - Đơn vị A.pdf');
    expect(header).toBe(
      'attachment; filename="Bao cao so ket 6 thang - Don vi A.pdf"; ' +
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20s%C6%A1%20k%E1%BA%BFt%206%20th%C3%A1ng%20-%20%C4%90%C6%A1n%20v%E1%BB%8B%20A.pdf",
    );
    expect(parse(header).name).toBe('Báo cáo sơ kết 6 tháng - Đơn vị A.pdf'.normalize('NFC'));
  });

  it('encodes the NFC form of a decomposed (macOS) name', () => {
    const nfd = 'Báo cáo Đợt 1.docx'.normalize('NFD');
    expect(nfd).not.toBe(nfd.normalize('NFC'));
    const header = attachmentDisposition(nfd);
    expect(header).toBe(attachmentDisposition('Báo cáo Đợt 1.docx'.normalize('NFC')));
    expect(parse(header)).toMatchObject({ fallback: 'Bao cao Dot 1.docx', name: 'Báo cáo Đợt 1.docx'.normalize('NFC') });
  });

  it('keeps only the part after the last / or \\', () => {
    expect(parse(attachmentDisposition('C:\\Users\\Hà\\Desktop\\Kế hoạch.xlsx'))).toMatchObject({ fallback: 'Ke hoach.xlsx', name: 'Kế hoạch.xlsx' });
    expect(parse(attachmentDisposition('../../etc/passwd'))).toMatchObject({ fallback: 'passwd', name: 'passwd' });
    expect(parse(attachmentDisposition('a/b\\c/d.pdf'))).toMatchObject({ fallback: 'd.pdf', name: 'd.pdf' });
    // A line separator must not hide the path (a regex `.` does not cross U+2028).
    expect(parse(attachmentDisposition('thư\u2028mục/d.pdf'))).toMatchObject({ fallback: 'd.pdf', name: 'd.pdf' });
  });

  it('makes header injection impossible: CR, LF and other controls are removed', () => {
    const header = attachmentDisposition('a.pdf"\r\nSet-Cookie: sid=1\u0000\t\u007f');
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    expect(header).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(parse(header)).toMatchObject({ fallback: 'a.pdf_Set-Cookie: sid=1', name: 'a.pdf"Set-Cookie: sid=1' });
  });

  it('replaces quotes, backslashes, percent and other non-ASCII in the fallback only', () => {
    expect(parse(attachmentDisposition('say "hi" 100%.pdf'))).toEqual({
      fallback: 'say _hi_ 100_.pdf',
      encoded: 'say%20%22hi%22%20100%25.pdf',
      name: 'say "hi" 100%.pdf',
    });
    expect(parse(attachmentDisposition('报告.pdf'))).toMatchObject({ fallback: '__.pdf', encoded: '%E6%8A%A5%E5%91%8A.pdf' });
    expect(parse(attachmentDisposition('📄 biên bản.pdf'))).toMatchObject({ fallback: '_ bien ban.pdf', encoded: '%F0%9F%93%84%20bi%C3%AAn%20b%E1%BA%A3n.pdf' });
  });

  it('percent-encodes exactly the characters outside attr-char', () => {
    expect(parse(attachmentDisposition("!#$&+-.^_`|~AZaz09.pdf")).encoded).toBe("!#$&+-.^_`|~AZaz09.pdf");
    // encodeURIComponent leaves these alone, but they are not attr-char.
    expect(parse(attachmentDisposition("a'b(c)*d.pdf")).encoded).toBe('a%27b%28c%29%2Ad.pdf');
    expect(parse(attachmentDisposition('a;b,c=d:e@f?g[h]{i}<j>.pdf')).encoded).toBe('a%3Bb%2Cc%3Dd%3Ae%40f%3Fg%5Bh%5D%7Bi%7D%3Cj%3E.pdf');
  });

  it('never leaves a name empty', () => {
    for (const input of ['', '/', 'thư mục/', '\r\n', 'a\\']) {
      expect(parse(attachmentDisposition(input))).toEqual({ fallback: 'tai-lieu', encoded: 'tai-lieu', name: 'tai-lieu' });
    }
    expect(parse(attachmentDisposition('   '))).toEqual({ fallback: 'tai-lieu', encoded: '%20%20%20', name: '   ' });
  });

  it('survives lone surrogates (as U+FFFD)', () => {
    expect(parse(attachmentDisposition('a\uD800b.pdf'))).toMatchObject({ fallback: 'a_b.pdf', encoded: 'a%EF%BF%BDb.pdf' });
  });

  const names = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom('a', 'Z', '0', ' ', '.', '/', '\\', '"', "'", '%', '%41', ';', '\r', '\n', '\t', '\u0000', '\u007f', 'đ', 'Đ', 'ế', 'e\u0301', 'ơ\u0323', '\uD800', '\uDC00', '\u2028', '\u0085', '😀', '报'),
      maxLength: 30,
    }),
  );

  it('always yields pure printable ASCII in the RFC grammar, decoding back to the cleaned name', () => {
    fc.assert(
      fc.property(names, (input) => {
        const header = attachmentDisposition(input);
        expect(header).toMatch(/^[\x20-\x7e]+$/);
        const { fallback, name } = parse(header);
        expect(fallback).not.toMatch(/["\\/]/);
        expect(fallback.trim()).toBe(fallback);
        expect(fallback.length).toBeGreaterThan(0);
        expect(name).toBe(expectedName(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('uses a plain printable-ASCII name as its own fallback', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.()[]!#&+~,;='.split('')), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(plain.filter((s) => s.trim() !== ''), (input) => {
        expect(parse(attachmentDisposition(input))).toMatchObject({ fallback: input.trim(), name: input });
      }),
    );
  });
});
