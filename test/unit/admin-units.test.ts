/** The pure parts of the Đơn vị use cases: who keeps admin access, what the link email lists, audit wording. */
import { describe, expect, it } from 'vitest';
import { MilestoneSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import type { Submission } from '../../shared/domain/submission';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { adminEmailsOf, linkValidThrough, unitChanges, upcomingDocuments, wouldLockOutAdmins } from '../../shared/use-cases/units';
import { defaultLinkExpiry } from '../../shared/domain/link-token';

const unit = (p: Partial<Unit> & Pick<Unit, 'unitId' | 'role'>): Unit =>
  UnitSchema.parse({ clusterId: 'cum', name: p.unitId, emails: [`${p.unitId}@example.com`], ...p });

describe('wouldLockOutAdmins', () => {
  const headUnit = unit({ unitId: 'truong', role: 'cum-truong' });
  const deputy = unit({ unitId: 'pho', role: 'cum-pho' });
  const member = unit({ unitId: 'a', role: 'thanh-vien' });

  it('refuses demoting or deactivating the only admin unit', () => {
    expect(wouldLockOutAdmins([headUnit, member], headUnit, { ...headUnit, role: 'thanh-vien' })).toBe(true);
    expect(wouldLockOutAdmins([headUnit, member], headUnit, { ...headUnit, active: false })).toBe(true);
  });

  it('allows it while another active Cụm trưởng or Cụm phó remains', () => {
    expect(wouldLockOutAdmins([headUnit, deputy, member], headUnit, { ...headUnit, role: 'thanh-vien' })).toBe(false);
    expect(wouldLockOutAdmins([headUnit, deputy, member], deputy, { ...deputy, active: false })).toBe(false);
  });

  it('counts an inactive deputy as no admin', () => {
    expect(wouldLockOutAdmins([headUnit, { ...deputy, active: false }], headUnit, { ...headUnit, role: 'thanh-vien' })).toBe(true);
  });

  it('never blocks an edit that keeps admin access, or one of a unit that had none', () => {
    expect(wouldLockOutAdmins([headUnit], headUnit, { ...headUnit, name: 'Tên mới', emails: ['moi@example.com'] })).toBe(false);
    expect(wouldLockOutAdmins([headUnit], headUnit, { ...headUnit, role: 'cum-pho' })).toBe(false);
    expect(wouldLockOutAdmins([member], member, { ...member, active: false })).toBe(false);
  });

  it('agrees with adminEmailsOf', () => {
    expect(adminEmailsOf({ ...deputy, active: false })).toEqual([]);
    expect(adminEmailsOf(member)).toEqual([]);
    expect(adminEmailsOf(headUnit)).toEqual(['truong@example.com']);
  });
});

describe('upcomingDocuments', () => {
  const member = unit({ unitId: 'don-vi-mau-a', role: 'thanh-vien' });
  const milestones = referenceMilestones.map((m) => MilestoneSchema.parse({ ...m, clusterId: 'cum' }));
  const plan = { ...referencePlan, clusterId: 'cum' };
  const submission = (milestoneId: string, outcome: Submission['outcome'] = 'accepted'): Submission => ({
    clusterId: 'cum',
    planId: plan.planId,
    milestoneId,
    unitId: member.unitId,
    uploadId: '4b0c3c1e-9f1a-4a53-9a43-2a3c5d9e7f10',
    objectKey: 'uploads/x',
    fileName: 'a.pdf',
    contentType: 'application/pdf',
    size: 1,
    sha256: '0'.repeat(64),
    receivedAt: '2021-12-01T01:00:00.000Z',
    late: false,
    outcome,
    receipt: 'sent',
  });

  it('lists what the unit still owes in plan order, with the deadline in words', () => {
    const now = new Date('2021-12-05T09:00:00+07:00');
    const items = upcomingDocuments({ plan, milestones, unit: member, submissions: [submission('ky-ket-giao-uoc')], extensions: [], now }, 3);
    expect(items).toEqual([
      { title: 'Bản đăng ký thi đua năm học 2021 - 2022', dueLabel: 'chưa định thời gian' },
      { title: 'Báo cáo sơ kết 06 tháng đầu năm học', dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)' },
      {
        title: 'Báo cáo tổng kết năm học và phương hướng, nhiệm vụ năm học tiếp theo',
        dueLabel: 'trước ngày 31/05/2022 (nhận đến hết ngày 30/05/2022)',
      },
    ]);
  });

  it('marks an overdue document, shows an extension, and drops one sent (a quarantined file does not count)', () => {
    const now = new Date('2021-12-12T09:00:00+07:00');
    const late = upcomingDocuments({ plan, milestones, unit: member, submissions: [submission('dang-ky-thi-dua'), submission('ky-ket-giao-uoc', 'quarantined')], extensions: [], now }, 2);
    expect(late).toEqual([
      { title: 'Giao ước thi đua đã ký', dueLabel: 'dự kiến tháng 08/2021 (chưa định ngày)' },
      { title: 'Báo cáo sơ kết 06 tháng đầu năm học', dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021), đã quá hạn (vẫn nhận nộp muộn)' },
    ]);
    const extension = { clusterId: 'cum', planId: plan.planId, milestoneId: 'bao-cao-so-ket-6-thang', unitId: member.unitId, until: '2021-12-15', grantedAt: '2021-12-10T00:00:00.000Z' };
    const extended = upcomingDocuments({ plan, milestones: milestones.filter((m) => m.milestoneId === 'bao-cao-so-ket-6-thang'), unit: member, submissions: [], extensions: [extension], now });
    expect(extended).toEqual([{ title: 'Báo cáo sơ kết 06 tháng đầu năm học', dueLabel: 'được gia hạn đến hết ngày 15/12/2021' }]);
  });

  it('leaves out a milestone whose cut-off has passed and award dossiers nobody was proposed for', () => {
    const locked = milestones.map((m) => (m.milestoneId === 'bao-cao-so-ket-6-thang' ? { ...m, cutoffDate: '2021-12-11' } : m));
    const items = upcomingDocuments({ plan, milestones: locked, unit: member, submissions: [], extensions: [], now: new Date('2021-12-12T09:00:00+07:00') }, 10);
    expect(items.map((i) => i.title)).toEqual([
      'Bản đăng ký thi đua năm học 2021 - 2022',
      'Giao ước thi đua đã ký',
      'Báo cáo tổng kết năm học và phương hướng, nhiệm vụ năm học tiếp theo',
      'Bảng tự chấm điểm thi đua',
    ]);
  });
});

describe('linkValidThrough', () => {
  it('is the last ICT day before the expiry instant', () => {
    expect(linkValidThrough(defaultLinkExpiry(referencePlan))).toBe('2022-10-31');
    expect(linkValidThrough(new Date('2022-01-01T00:00:01+07:00'))).toBe('2022-01-01');
  });
});

describe('unitChanges', () => {
  it('names each change in Vietnamese', () => {
    const before = unit({ unitId: 'a', role: 'cum-pho', name: 'Trường A', emails: ['a@x.vn', 'b@x.vn'], contactName: 'Chị Lan' });
    expect(unitChanges(before, { ...before })).toEqual([]);
    expect(unitChanges(before, { ...before, name: 'Trường A1', role: 'thanh-vien', emails: ['b@x.vn', 'c@x.vn'], contactName: undefined, active: false })).toEqual([
      'tên "Trường A" → "Trường A1"',
      'vai trò Cụm phó → Thành viên',
      'thêm email c@x.vn',
      'bỏ email a@x.vn',
      'sửa người liên hệ',
      'ngừng hoạt động',
    ]);
  });
});
