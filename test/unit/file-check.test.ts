import fc from 'fast-check';
import { fileTypeFromBuffer } from 'file-type';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkDeclaredType, detectFileType } from '../../shared/domain/file-check';
import { ALLOWED_FILE_TYPES, type AllowedFileType } from '../../shared/domain/submission';

// Sample files: regenerate with `python3 test/fixtures/files/generate.py` (deterministic).
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/files/${name}`, import.meta.url)));

const PDF = 'application/pdf';
const DOC = 'application/msword';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLS = 'application/vnd.ms-excel';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ODT = 'application/vnd.oasis.opendocument.text';
const ODS = 'application/vnd.oasis.opendocument.spreadsheet';
const JPG = 'image/jpeg';
const PNG = 'image/png';
const CFB = 'application/x-cfb';
const ALL_DECLARED = Object.keys(ALLOWED_FILE_TYPES) as AllowedFileType[];

/** Each sample, what it really is, the declared types it passes as, and how the detection names it in Vietnamese. */
const SAMPLES: { file: string; mime: string; accepts: AllowedFileType[]; found: string }[] = [
  { file: 'sample.pdf', mime: PDF, accepts: [PDF], found: 'PDF' },
  { file: 'sample.jpg', mime: JPG, accepts: [JPG], found: 'ảnh JPG' },
  { file: 'sample.png', mime: PNG, accepts: [PNG], found: 'ảnh PNG' },
  { file: 'sample-ole2.doc', mime: CFB, accepts: [DOC, XLS], found: 'tài liệu Office định dạng cũ (.doc, .xls, .ppt) hoặc tệp Office có đặt mật khẩu' },
  { file: 'word-style.docx', mime: DOCX, accepts: [DOCX], found: 'Word (.docx)' },
  { file: 'libreoffice-style.docx', mime: DOCX, accepts: [DOCX], found: 'Word (.docx)' },
  { file: 'excel-style.xlsx', mime: XLSX, accepts: [XLSX], found: 'Excel (.xlsx)' },
  { file: 'libreoffice-style.xlsx', mime: XLSX, accepts: [XLSX], found: 'Excel (.xlsx)' },
  { file: 'sample.odt', mime: ODT, accepts: [ODT], found: 'OpenDocument văn bản (.odt)' },
  { file: 'sample.ods', mime: ODS, accepts: [ODS], found: 'OpenDocument bảng tính (.ods)' },
  // Judged by the leading signature: a PNG with a PDF appended is a PNG, a PDF with a zip appended is a PDF.
  { file: 'png-then-pdf.pdf', mime: PNG, accepts: [PNG], found: 'ảnh PNG' },
  { file: 'pdf-with-zip.pdf', mime: PDF, accepts: [PDF], found: 'PDF' },
  { file: 'plain.zip', mime: 'application/zip', accepts: [], found: 'tệp nén ZIP, không phải tài liệu Word, Excel hay OpenDocument' },
  { file: 'sample.gif', mime: 'image/gif', accepts: [], found: 'ảnh GIF' },
];

const declaredLabel = (t: AllowedFileType) => ALLOWED_FILE_TYPES[t].label.replace(/^Ảnh/, 'ảnh');

async function check(declared: AllowedFileType, bytes: Uint8Array) {
  return checkDeclaredType(declared, bytes, bytes.length);
}

describe('checkDeclaredType on sample files', () => {
  it('has a correctly declared sample for every allowed type', () => {
    const covered = new Set(SAMPLES.flatMap((s) => s.accepts));
    expect([...covered].sort()).toEqual([...ALL_DECLARED].sort());
  });

  const accepted = SAMPLES.flatMap((s) => s.accepts.map((declared) => ({ ...s, declared })));
  it.each(accepted)('accepts $file declared as $declared', async ({ file, declared, mime }) => {
    expect(await check(declared, fixture(file))).toEqual({ ok: true, detected: mime });
  });

  const rejected = SAMPLES.flatMap((s) => ALL_DECLARED.filter((d) => !s.accepts.includes(d)).map((declared) => ({ ...s, declared })));
  it.each(rejected)('rejects $file declared as $declared, naming what it found', async ({ file, declared, found }) => {
    expect(await check(declared, fixture(file))).toEqual({
      ok: false,
      reason: `Nội dung tệp không phải ${declaredLabel(declared)} như đã khai báo (phát hiện: ${found}).`,
    });
  });

  it('words the usual mismatches as a person reads them', async () => {
    expect(await check(PDF, fixture('sample.png'))).toEqual({ ok: false, reason: 'Nội dung tệp không phải PDF như đã khai báo (phát hiện: ảnh PNG).' });
    expect(await check(XLSX, fixture('word-style.docx'))).toEqual({
      ok: false,
      reason: 'Nội dung tệp không phải Excel (.xlsx) như đã khai báo (phát hiện: Word (.docx)).',
    });
    expect(await check(JPG, fixture('sample.pdf'))).toEqual({ ok: false, reason: 'Nội dung tệp không phải ảnh JPG như đã khai báo (phát hiện: PDF).' });
    expect(await check(DOCX, fixture('plain.zip'))).toMatchObject({ ok: false, reason: expect.stringContaining('phát hiện: tệp nén ZIP') });
  });

  it.each(ALL_DECLARED)('rejects an empty file declared as %s', async (declared) => {
    expect(await checkDeclaredType(declared, fixture('empty.pdf'), 0)).toEqual({ ok: false, reason: 'Tệp rỗng (0 byte).' });
  });

  it.each(ALL_DECLARED)('rejects a text file declared as %s as unrecognised', async (declared) => {
    expect(await check(declared, fixture('text-renamed.pdf'))).toEqual({
      ok: false,
      reason: 'Không nhận dạng được nội dung tệp; chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG.',
    });
  });

  it('judges the whole object size, not the head length, for emptiness, and refuses inconsistent input', async () => {
    const pdf = fixture('sample.pdf');
    expect(await checkDeclaredType(PDF, pdf.subarray(0, 16), 10_000_000)).toEqual({ ok: true, detected: PDF });
    await expect(checkDeclaredType(PDF, pdf, -1)).rejects.toThrow(RangeError);
    await expect(checkDeclaredType(PDF, pdf, 1.5)).rejects.toThrow(RangeError);
    await expect(checkDeclaredType(PDF, pdf, pdf.length - 1)).rejects.toThrow(RangeError);
    await expect(checkDeclaredType(PDF, new Uint8Array(), 100)).rejects.toThrow(RangeError);
  });
});

/** Offset of the local file header of the zip entry `name` (the fixtures are small and well-formed). */
function localHeaderOffset(zip: Uint8Array, name: string): number {
  const needle = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  const buf = Buffer.from(zip);
  for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + 1)) {
    const nameLength = buf.readUInt16LE(at + 26);
    if (buf.toString('utf8', at + 30, at + 30 + nameLength) === name) return at;
  }
  throw new Error(`no entry ${name}`);
}

describe('detectFileType from the head of a large file', () => {
  // A large LibreOffice document (images in word/media) has [Content_Types].xml, its last entry, far beyond the
  // 1 MiB head. Cutting the sample just before that entry is exactly what the detector then sees.
  it.each([
    ['libreoffice-style.docx', DOCX, 'word/document.xml'],
    ['libreoffice-style.xlsx', XLSX, 'xl/_rels/workbook.xml.rels'],
  ])('names %s without [Content_Types].xml, where file-type alone says zip', async (file, mime, firstPart) => {
    const bytes = fixture(file);
    const head = bytes.subarray(0, localHeaderOffset(bytes, '[Content_Types].xml'));
    // Why the zip scan exists: the library needs the whole file for this entry order.
    expect((await fileTypeFromBuffer(head))?.mime).toBe('application/zip');
    expect(await detectFileType(head)).toMatchObject({ mime, source: 'zip-scan' });
    // The scan needs the local headers only up to the name of the first part in word/ or xl/.
    const needed = localHeaderOffset(bytes, firstPart) + 30 + firstPart.length;
    expect((await detectFileType(bytes.subarray(0, needed)))?.mime).toBe(mime);
    expect((await detectFileType(bytes.subarray(0, needed - 1)))?.mime).toBe('application/zip');
  });

  it.each([
    ['word-style.docx', DOCX],
    ['excel-style.xlsx', XLSX],
  ])('names %s (Microsoft order) from its first entry, [Content_Types].xml', async (file, mime) => {
    const bytes = fixture(file);
    const secondEntry = localHeaderOffset(bytes, '_rels/.rels');
    expect(await detectFileType(bytes.subarray(0, secondEntry))).toMatchObject({ mime, source: 'file-type' });
  });

  it.each([
    ['sample.odt', ODT],
    ['sample.ods', ODS],
  ])('names %s from its mimetype first entry (file-type)', async (file, mime) => {
    const bytes = fixture(file);
    expect(await detectFileType(bytes.subarray(0, localHeaderOffset(bytes, 'meta.xml')))).toMatchObject({ mime, source: 'file-type' });
  });
});

// ---- Hand-built zips (local headers only, as in the head of a large file) to exercise the scan's edge cases.
type Entry = { name: string; data: string | Uint8Array; descriptor?: 'signed' | 'unsigned'; stored?: boolean };

function zipHead(entries: Entry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const { name, data, descriptor, stored } of entries) {
    const raw = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    const body = stored ? raw : deflateRawSync(raw);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(descriptor ? 0x0808 : 0x0800, 6);
    header.writeUInt16LE(stored ? 0 : 8, 8);
    header.writeUInt32LE(descriptor ? 0 : body.length, 18);
    header.writeUInt32LE(descriptor ? 0 : raw.length, 22);
    header.writeUInt16LE(Buffer.byteLength(name), 26);
    parts.push(header, Buffer.from(name), body);
    if (descriptor) {
      const dd = Buffer.alloc(descriptor === 'signed' ? 16 : 12);
      let at = 0;
      if (descriptor === 'signed') at = dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(0, at); // crc32: not checked by detection
      dd.writeUInt32LE(body.length, at + 4);
      dd.writeUInt32LE(raw.length, at + 8);
      parts.push(dd);
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('zip local-header scan', () => {
  const rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>';

  it.each(['signed', 'unsigned'] as const)('steps over entries with %s data descriptors', async (descriptor) => {
    const head = zipHead([
      { name: '_rels/.rels', data: rels, descriptor },
      { name: 'docProps/app.xml', data: '<Properties/>'.repeat(50), descriptor },
      { name: 'xl/workbook.xml', data: '<workbook/>', descriptor },
    ]);
    expect(await detectFileType(head)).toMatchObject({ mime: XLSX, source: 'zip-scan' });
    expect(await check(XLSX, head)).toEqual({ ok: true, detected: XLSX });
    expect(await check(DOCX, head)).toMatchObject({ ok: false, reason: expect.stringContaining('phát hiện: Excel (.xlsx)') });
  });

  it('names a PowerPoint package as such, and rejects it as any allowed type', async () => {
    const head = zipHead([
      { name: '_rels/.rels', data: rels, descriptor: 'signed' },
      { name: 'ppt/presentation.xml', data: '<p:presentation/>', descriptor: 'signed' },
    ]);
    expect(await check(DOCX, head)).toEqual({ ok: false, reason: 'Nội dung tệp không phải Word (.docx) như đã khai báo (phát hiện: PowerPoint (.pptx)).' });
  });

  it('walks entry by entry: a header hidden inside stored data is not an entry', async () => {
    const hidden = zipHead([{ name: 'word/document.xml', data: '<w:document/>' }]);
    const head = zipHead([
      { name: 'readme.txt', data: 'xin chào' },
      { name: 'payload.bin', data: hidden, stored: true },
    ]);
    expect((await detectFileType(head))?.mime).toBe('application/zip');
    expect((await check(DOCX, head)).ok).toBe(false);
  });

  it('stops, saying nothing, on a truncated or malformed header', async () => {
    const good = zipHead([
      { name: '_rels/.rels', data: rels },
      { name: 'word/document.xml', data: '<w:document/>' },
    ]);
    const second = localHeaderOffset(good, 'word/document.xml');
    const broken = good.slice();
    broken.set([0xff, 0xff], second + 26); // name length beyond the head
    expect((await detectFileType(broken))?.mime).toBe('application/zip');
    const wrongSize = good.slice();
    new DataView(wrongSize.buffer).setUint32(18, 5, true); // first entry's compressed size points into its data
    expect((await detectFileType(wrongSize))?.mime).toBe('application/zip');
    expect((await detectFileType(good))?.mime).toBe(DOCX);
  });
});

describe('bytes without a known signature', () => {
  const signatures = [
    [0x25, 0x50, 0x44, 0x46], // %PDF
    [0xff, 0xd8, 0xff], // JPEG
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
    [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], // OLE2 / CFB
    [0x50, 0x4b, 0x03, 0x04], // zip local file header
  ];
  // file-type skips an ID3v2 tag and looks again behind it; exclude that prefix too, however unlikely a valid tag is.
  const excludedPrefixes = [...signatures, [0x49, 0x44, 0x33]];
  const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

  // Near misses make the property bite: a signature with one byte changed, or cut short, then random bytes.
  const mutated = fc
    .tuple(fc.constantFrom(...signatures), fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([sig, i, b]) => sig.map((x, j) => (j === i % sig.length ? b : x)));
  const truncated = fc.tuple(fc.constantFrom(...signatures), fc.nat()).map(([sig, n]) => sig.slice(0, n % sig.length));
  const bytes = fc
    .tuple(fc.oneof(fc.constant([] as number[]), mutated, truncated), fc.uint8Array({ maxLength: 2048 }))
    .map(([prefix, tail]) => Uint8Array.from([...prefix, ...tail]))
    .filter((b) => b.length > 0 && !excludedPrefixes.some((p) => startsWith(b, p)));

  it('are never accepted as any allowed type', async () => {
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom(...ALL_DECLARED), async (head, declared) => {
        const result = await checkDeclaredType(declared, head, head.length + 1000);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
