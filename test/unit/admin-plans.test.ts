/** The pure parts of the plan editor: the checks a save must pass, and what the audit says changed. */
import { describe, expect, it } from 'vitest';
import { MilestoneSchema, type Milestone } from '../../shared/domain/model';
import { ValidationError } from '../../shared/domain/errors';
import { checkMilestone, clip, milestoneChanges, milestoneSaveSummary } from '../../shared/use-cases/plans';

const base: Milestone = MilestoneSchema.parse({
  clusterId: 'cum',
  planId: '2021-2022',
  milestoneId: 'bao-cao',
  order: 3,
  kind: 'report',
  title: 'Báo cáo sơ kết',
  due: { type: 'date', date: '2021-12-10', rule: 'before' },
  document: { title: 'Báo cáo sơ kết 06 tháng', from: { type: 'all' }, recipients: ['cum-truong'] },
});
const exclusive = { beforeDayInclusive: false };

const errorOf = (f: () => void): ValidationError => {
  try {
    f();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('checkMilestone', () => {
  it('accepts a cut-off on or after the last on-time day, following the plan\'s "trước ngày" rule', () => {
    expect(() => checkMilestone({ ...base, cutoffDate: '2021-12-09' }, exclusive)).not.toThrow();
    expect(() => checkMilestone({ ...base, cutoffDate: '2021-12-20' }, exclusive)).not.toThrow();
    expect(errorOf(() => checkMilestone({ ...base, cutoffDate: '2021-12-09' }, { beforeDayInclusive: true })).messageVi).toBe(
      'Hạn chót nhận nộp muộn (09/12/2021) không được trước ngày cuối của hạn nộp (10/12/2021, theo “trước ngày 10/12/2021”). Hãy chọn từ ngày 10/12/2021 trở đi.',
    );
  });

  it('refuses a cut-off before the deadline, naming the field', () => {
    const error = errorOf(() => checkMilestone({ ...base, due: { type: 'date', date: '2021-12-10', rule: 'by' }, cutoffDate: '2021-12-09' }, exclusive));
    expect(error.details).toEqual([
      {
        field: 'cutoffDate',
        message: 'Hạn chót nhận nộp muộn (09/12/2021) không được trước ngày cuối của hạn nộp (10/12/2021, theo “đến hết ngày 10/12/2021”). Hãy chọn từ ngày 10/12/2021 trở đi.',
      },
    ]);
  });

  it('measures a month-only milestone to the end of its month; an undated one has nothing to compare', () => {
    expect(() => checkMilestone({ ...base, due: { type: 'month', month: '2022-02' }, cutoffDate: '2022-02-28' }, exclusive)).not.toThrow();
    expect(() => checkMilestone({ ...base, due: { type: 'month', month: '2022-02' }, cutoffDate: '2022-02-27' }, exclusive)).toThrow(ValidationError);
    expect(() => checkMilestone({ ...base, due: { type: 'none' }, cutoffDate: '2021-01-01' }, exclusive)).not.toThrow();
  });

  it('refuses repeated reminder days', () => {
    expect(errorOf(() => checkMilestone({ ...base, reminderOffsets: [7, 3, 7, 3, 1] }, exclusive)).messageVi).toBe(
      'Các lần nhắc trước hạn bị trùng: 7, 3 ngày. Mỗi số ngày chỉ ghi một lần.',
    );
    expect(() => checkMilestone({ ...base, reminderOffsets: [] }, exclusive)).not.toThrow();
  });
});

describe('milestoneChanges and the save summary', () => {
  it('says nothing changed when nothing did (defaults and key order do not count)', () => {
    const same = MilestoneSchema.parse(JSON.parse(JSON.stringify({ ...base, due: { rule: 'before', date: '2021-12-10', type: 'date' } })));
    expect(milestoneChanges(base, same)).toEqual([]);
    expect(milestoneSaveSummary({ milestone: same, before: base, schedules: { created: 0, deleted: 0 } })).toBe(
      'Lưu mốc "Báo cáo sơ kết" (không có thay đổi); lịch nhắc: tạo 0, xóa 0.',
    );
  });

  it('names a moved date as the plan writes it', () => {
    const moved = { ...base, due: { type: 'date' as const, date: '2021-12-15', rule: 'before' as const } };
    expect(milestoneSaveSummary({ milestone: moved, before: base, schedules: { created: 4, deleted: 4 } })).toBe(
      'Sửa mốc "Báo cáo sơ kết": hạn 10/12/2021 → 15/12/2021; lịch nhắc: tạo 4, xóa 4.',
    );
    expect(milestoneChanges(base, { ...base, due: { type: 'month', month: '2021-12' } })).toEqual(['hạn trước ngày 10/12/2021 → dự kiến tháng 12/2021']);
  });

  it('lists every kind of change in form order', () => {
    const after: Milestone = {
      ...base,
      title: 'Báo cáo sơ kết học kỳ I',
      kind: 'conference',
      order: 4,
      cutoffDate: '2021-12-20',
      reminderOffsets: [5, 1],
      document: undefined,
      place: 'Hội trường',
      content: ['Nội dung mới'],
      assignments: [{ who: { type: 'all' }, task: 'Dự họp' }],
      notes: ['Ghi chú'],
      recurring: false,
    };
    expect(milestoneChanges(base, after)).toEqual([
      'tên "Báo cáo sơ kết" → "Báo cáo sơ kết học kỳ I"',
      'loại Báo cáo → Hội nghị',
      'thứ tự 3 → 4',
      'thêm hạn chót nhận nộp muộn 20/12/2021',
      'nhắc trước 7, 3, 1, 0 ngày → 5, 1 ngày',
      'bỏ yêu cầu nộp tài liệu',
      'sửa địa điểm',
      'sửa nội dung',
      'sửa nhiệm vụ',
      'sửa ghi chú',
      'chỉ diễn ra một lần',
    ]);
    expect(milestoneChanges({ ...base, cutoffDate: '2021-12-20' }, { ...base, cutoffDate: '2021-12-25' })).toEqual(['hạn chót nhận nộp muộn 20/12/2021 → 25/12/2021']);
    expect(milestoneChanges({ ...base, cutoffDate: '2021-12-20' }, base)).toEqual(['bỏ hạn chót nhận nộp muộn']);
    expect(milestoneChanges(base, { ...base, reminderOffsets: [0, 1, 3, 7] })).toEqual([]);
    expect(milestoneChanges(base, { ...base, reminderOffsets: [] })).toEqual(['nhắc trước 7, 3, 1, 0 ngày → không nhắc']);
  });

  it('announces a new milestone with its date, and stays within the audit entry length for any title', () => {
    expect(milestoneSaveSummary({ milestone: base, schedules: { created: 5, deleted: 0 } })).toBe('Thêm mốc "Báo cáo sơ kết" (trước ngày 10/12/2021); lịch nhắc: tạo 5, xóa 0.');
    const long = 'Báo cáo '.repeat(250).trim();
    const summary = milestoneSaveSummary({ milestone: { ...base, title: `${long} mới`, document: { ...base.document!, title: long } }, before: { ...base, title: long }, schedules: { created: 0, deleted: 0 } });
    expect(summary.length).toBeLessThan(1000);
    expect(clip('ngắn')).toBe('ngắn');
    expect(clip('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
