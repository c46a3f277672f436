import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MilestoneSchema, type Milestone } from '../../shared/domain/model';
import {
  cleanFileName,
  effectiveDeadline,
  formatBytesVi,
  parseUploadObjectKey,
  unitMilestoneStatus,
  uploadObjectKey,
  uploadWindow,
} from '../../shared/domain/submission';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const plan = { beforeDayInclusive: false };
const report: Milestone = MilestoneSchema.parse({
  clusterId: 'c',
  planId: '2021-2022',
  milestoneId: 'bao-cao',
  order: 1,
  kind: 'report',
  title: 'Báo cáo sơ kết',
  due: { type: 'date', date: '2021-12-10', rule: 'before' },
  cutoffDate: '2021-12-15',
  document: { title: 'Báo cáo', from: { type: 'all' }, recipients: ['cum-truong'] },
});

describe('status of a unit on a milestone', () => {
  const eff = effectiveDeadline(report, plan);

  it('is not due before the deadline, missing after it, locked after the cut-off', () => {
    expect(unitMilestoneStatus(eff, [], ict('2021-12-09T23:59:59'))).toBe('not-due');
    expect(unitMilestoneStatus(eff, [], ict('2021-12-10T00:00:00'))).toBe('missing');
    expect(unitMilestoneStatus(eff, [], ict('2021-12-15T23:59:59'))).toBe('missing');
    expect(unitMilestoneStatus(eff, [], ict('2021-12-16T00:00:00'))).toBe('locked');
  });

  it('follows the first accepted version: a later late re-upload does not make an on-time unit late', () => {
    const onTime = { receivedAt: '2021-12-09T10:00:00.000Z', late: false };
    const lateAgain = { receivedAt: '2021-12-12T10:00:00.000Z', late: true };
    expect(unitMilestoneStatus(eff, [lateAgain, onTime], ict('2021-12-20T00:00:00'))).toBe('on-time');
    expect(unitMilestoneStatus(eff, [lateAgain], ict('2021-12-20T00:00:00'))).toBe('late');
  });

  it('is open when no day is fixed', () => {
    const monthOnly = { ...report, due: { type: 'month', month: '2021-12' }, cutoffDate: undefined } as Milestone;
    expect(unitMilestoneStatus(effectiveDeadline(monthOnly, plan), [], ict('2022-03-01T00:00:00'))).toBe('open');
  });
});

describe('upload window and extensions at ICT midnight', () => {
  it('accepts late uploads until the cut-off day ends, then refuses', () => {
    const eff = effectiveDeadline(report, plan);
    expect(uploadWindow(eff, ict('2021-12-09T23:59:59'))).toEqual({ open: true, late: false });
    expect(uploadWindow(eff, ict('2021-12-10T00:00:00'))).toEqual({ open: true, late: true });
    expect(uploadWindow(eff, ict('2021-12-15T23:59:59'))).toEqual({ open: true, late: true });
    expect(uploadWindow(eff, ict('2021-12-16T00:00:00'))).toEqual({ open: false });
  });

  it('an extension moves the deadline to the end of its day and the cut-off by as many days', () => {
    const eff = effectiveDeadline(report, plan, { until: '2021-12-20' });
    expect(eff.extendedTo).toBe('2021-12-20');
    expect(uploadWindow(eff, ict('2021-12-20T23:59:59'))).toEqual({ open: true, late: false });
    expect(uploadWindow(eff, ict('2021-12-21T00:00:00'))).toEqual({ open: true, late: true });
    // The deadline moved 11 days (09/12 -> 20/12), so the cut-off moves from 15/12 to 26/12.
    expect(uploadWindow(eff, ict('2021-12-26T23:59:59')).open).toBe(true);
    expect(uploadWindow(eff, ict('2021-12-27T00:00:00')).open).toBe(false);
  });

  it('an extension past the cut-off keeps uploads open until the extension ends', () => {
    const noDate = { ...report, due: { type: 'none' } } as Milestone;
    const eff = effectiveDeadline(noDate, plan, { until: '2021-12-31' });
    expect(uploadWindow(eff, ict('2021-12-31T23:59:59')).open).toBe(true);
    expect(uploadWindow(eff, ict('2022-01-01T00:00:00')).open).toBe(false);
  });
});

describe('object keys and file names', () => {
  it('round-trips the server-made key and refuses anything else', () => {
    const ref = { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', milestoneId: 'bao-cao', unitId: 'don-vi-mau-a', uploadId: '0b6f2f0e-8f8f-4a53-9f4a-2a1e5c0f7a11' };
    expect(parseUploadObjectKey(uploadObjectKey(ref))).toEqual(ref);
    for (const bad of ['uploads/x', 'quarantine/thanh-hoa-cum-5/2021-2022/bao-cao/don-vi-mau-a/0b6f2f0e-8f8f-4a53-9f4a-2a1e5c0f7a11', `${uploadObjectKey(ref)}/../x`]) {
      expect(parseUploadObjectKey(bad)).toBeUndefined();
    }
  });

  it('keeps a Vietnamese name (NFC) and drops any path and control characters', () => {
    expect(cleanFileName('C:\\Users\\Tâm\\Báo cáo.pdf')).toBe('Báo cáo.pdf');
    expect(cleanFileName('Ba\u0301o ca\u0301o.pdf')).toBe('Báo cáo.pdf');
    expect(cleanFileName('a\u2028b/c\u0000.pdf')).toBe('c.pdf');
    // Removing the tab must not fuse two lone surrogates into a new character.
    expect(cleanFileName('\ud800\t\udc00.pdf')).toBe('\ufffd\ufffd.pdf');
    // A right-to-left override would show "bao-cao\u202Efdp.exe" as "bao-caoexe.pdf"; C1 controls go too.
    expect(cleanFileName('bao-cao\u202Efdp.exe')).toBe('bao-caofdp.exe');
    expect(cleanFileName('\u2066a\u2069\u200F\u0085b.pdf')).toBe('ab.pdf');
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (name) => {
      const clean = cleanFileName(name);
      return !clean.includes('/') && !clean.includes('\\') && clean === clean.normalize('NFC') && ![...clean].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    }));
  });

  it('writes sizes the Vietnamese way', () => {
    expect(formatBytesVi(512)).toBe('512 B');
    expect(formatBytesVi(320 * 1024)).toBe('320 KB');
    expect(formatBytesVi(1.5 * 1024 * 1024)).toBe('1,5 MB');
  });
});
