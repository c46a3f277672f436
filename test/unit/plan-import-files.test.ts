/**
 * Plan import, files: .txt, .md and .docx are read (a small .docx is made in the test with jszip, the zip library
 * mammoth itself uses); anything else, a file too large, a text that is not UTF-8 or a broken .docx is refused with
 * a Vietnamese ValidationError. Nothing here touches storage.
 */
import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors';
import { proposeImportFromText } from '../../shared/use-cases/plan-import';
import { PLAN_IMPORT_MAX_BYTES, planTextOf, proposeImport } from '../../shared/use-cases/plan-import-files';

const utf8 = (text: string) => new TextEncoder().encode(text);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A minimal WordprocessingML package: one paragraph per entry; a paragraph given as an array is split into runs,
 * the first one bold, as Word writes "**Thời gian:** …".
 */
async function docx(paragraphs: Array<string | string[]>): Promise<Uint8Array> {
  const run = (text: string, bold: boolean) => `<w:r>${bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
  const body = paragraphs.map((p) => `<w:p>${(Array.isArray(p) ? p : [p]).map((text, i) => run(text, Array.isArray(p) && i === 0)).join('')}</w:p>`).join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'uint8array' });
}

/** A short plan of another cluster, in another year, in the forms other plans use. */
const SMALL_PLAN = [
  'Hà Nội, ngày 15/9/2023',
  'KẾ HOẠCH',
  'Hoạt động của Cụm thi đua số 3 năm học 2023 - 2024',
  'I. HOẠT ĐỘNG',
  '1. Hội nghị sơ kết học kỳ I',
  ['Thời gian: ', 'sáng ngày 30 tháng 01 năm 2024'],
  ['Địa điểm: ', 'Hội trường tầng 3, Trường Cao đẳng Y tế'],
  '2. Chế độ báo cáo',
  '- Các đơn vị gửi báo cáo sơ kết về Cụm trưởng trước 19.12.',
  '- Bảng tự chấm điểm gửi về Cụm trưởng và CĐVC tỉnh chậm nhất ngày 25-5.',
];
const SMALL_PLAN_TEXT = SMALL_PLAN.map((p) => (Array.isArray(p) ? p.join('') : p)).join('\n');

const summary = (p: Awaited<ReturnType<typeof proposeImport>>) =>
  p.milestones.map((m) => ({ kind: m.kind, title: m.title, due: m.due, place: m.place, to: m.documents.flatMap((d) => d.to) }));
const SMALL_PLAN_MILESTONES = [
  { kind: 'conference', title: 'Hội nghị sơ kết học kỳ I', due: { type: 'date', date: '2024-01-30', rule: 'by' }, place: 'Hội trường tầng 3, Trường Cao đẳng Y tế', to: [] },
  { kind: 'report', title: 'Báo cáo sơ kết', due: { type: 'date', date: '2023-12-19', rule: 'before' }, place: undefined, to: ['cum-truong'] },
  { kind: 'self-score', title: 'Bảng tự chấm điểm', due: { type: 'date', date: '2024-05-25', rule: 'by' }, place: undefined, to: ['cum-truong', 'cdvc-tinh'] },
];

/** The ValidationError a call throws. */
async function refusal(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('reading plan files', () => {
  it('.docx: the text of its paragraphs, runs joined, read like any other plan', async () => {
    const bytes = await docx(SMALL_PLAN);
    expect(await planTextOf({ fileName: 'Kế hoạch cụm 3.docx', bytes })).toBe(`${SMALL_PLAN_TEXT.replace(/\n/g, '\n\n')}\n\n`);
    const proposal = await proposeImport({ fileName: 'Kế hoạch cụm 3.DOCX', bytes });
    expect(proposal).toMatchObject({ schoolYear: { startYear: 2023, endYear: 2024 }, title: 'Kế hoạch hoạt động của Cụm thi đua số 3 năm học 2023 - 2024', issuedOn: '2023-09-15' });
    expect(summary(proposal)).toEqual(SMALL_PLAN_MILESTONES);
  });

  it('.txt: UTF-8 with a byte-order mark and Windows line ends', async () => {
    const bytes = utf8(`\ufeff${SMALL_PLAN_TEXT.replace(/\n/g, '\r\n')}`);
    expect((await planTextOf({ fileName: 'ke-hoach.txt', bytes })).startsWith('Hà Nội')).toBe(true);
    expect(summary(await proposeImport({ fileName: 'ke-hoach.txt', bytes }))).toEqual(SMALL_PLAN_MILESTONES);
  });

  it('.md: the seed plan', async () => {
    const bytes = readFileSync('test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md');
    const proposal = await proposeImport({ fileName: 'ke-hoach-cum-thi-dua-so-5-2021-2022.md', bytes });
    expect(proposal.milestones).toHaveLength(9);
    expect(proposal.schoolYear).toEqual({ startYear: 2021, endYear: 2022 });
  });

  it('pasted text, and a school year given by the admin for a text that has none', () => {
    const text = 'Chế độ báo cáo\n- Các đơn vị gửi báo cáo sơ kết về Cụm trưởng trước ngày 10/12.';
    const unplaced = proposeImportFromText(text);
    expect(unplaced.milestones.map((m) => m.due)).toEqual([{ type: 'none' }]);
    expect(unplaced.warnings).toEqual([expect.stringContaining('Không xác định được năm học')]);
    const placed = proposeImportFromText(text, { schoolYear: { startYear: 2024, endYear: 2025 } });
    expect(placed.milestones.map((m) => m.due)).toEqual([{ type: 'date', date: '2024-12-10', rule: 'before' }]);
    expect(placed.warnings).toEqual([]);
  });

  it('a Word file that is not a plan: no milestone, and a warning saying so', async () => {
    const proposal = await proposeImport({ fileName: 'bao-cao.docx', bytes: readFileSync('test/fixtures/files/word-style.docx') });
    expect(proposal.milestones).toEqual([]);
    expect(proposal.warnings).toContain('Không tìm thấy mốc nào trong văn bản. Hãy kiểm tra đây có phải là kế hoạch hoạt động của cụm không.');
  });
});

describe('refusing what cannot be read', () => {
  it.each([
    ['ke-hoach.pdf', 'Với tệp PDF'],
    ['ke-hoach.doc', 'lưu lại dưới dạng .docx'],
    ['ke-hoach.xlsx', ''],
    ['ke-hoach', ''],
  ])('%s: only .docx, .md and .txt', async (fileName, hint) => {
    const error = await refusal(proposeImport({ fileName, bytes: utf8('Kế hoạch') }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.messageVi).toMatch(new RegExp(`^Không đọc được tệp "${fileName}": chỉ nhận kế hoạch dạng \\.docx, \\.md hoặc \\.txt\\.`));
    expect(error.messageVi).toContain(hint);
    expect(error.details).toEqual([{ field: 'file', message: 'Chỉ nhận tệp .docx, .md hoặc .txt' }]);
  });

  it('a file over the size limit', async () => {
    const error = await refusal(proposeImport({ fileName: 'ke-hoach.txt', bytes: new Uint8Array(PLAN_IMPORT_MAX_BYTES + 1) }));
    expect(error.messageVi).toBe('Tệp "ke-hoach.txt" quá lớn (5 MB); kế hoạch nhập vào tối đa 5 MB.');
  });

  it('a text file that is not UTF-8 (Windows-1258)', async () => {
    const error = await refusal(proposeImport({ fileName: 'ke-hoach.txt', bytes: Uint8Array.from([0x4b, 0xea, 0x20, 0x68, 0x6f, 0xb9, 0x63, 0x68]) }));
    expect(error.messageVi).toContain('không phải văn bản UTF-8');
  });

  it('a broken .docx', async () => {
    const error = await refusal(proposeImport({ fileName: 'hong.docx', bytes: utf8('không phải zip') }));
    expect(error.messageVi).toBe('Không đọc được tệp Word "hong.docx": tệp bị hỏng hoặc không phải .docx. Hãy mở bằng Word, lưu lại rồi thử lại.');
  });

  it('an empty file', async () => {
    const error = await refusal(proposeImport({ fileName: 'trong.md', bytes: utf8('  \n\n ') }));
    expect(error.messageVi).toBe('Văn bản kế hoạch trống: không có nội dung để đọc.');
  });
});
