/**
 * Plan import of the reference plan (Cụm Thi đua số 5, năm học 2021 - 2022): every milestone of the seed found, with
 * the right date or month, place and responsible units, written out by hand below; nothing that is not in the text.
 *
 * The seed is test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md, a byte-for-byte copy of
 * ../shared/seed/ (checked below when that folder is present) so the test runs from a bare clone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MilestoneSchema } from '../../shared/domain/model';
import { proposeMilestones, toMilestoneInput, toPlanInput, type ProposedMilestone } from '../../shared/domain/plan-import';
import { referenceMilestones } from '../../shared/reference/thanh-hoa-cum-5';

const FIXTURE = 'test/fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md';
const SHARED_SEED = '../shared/seed/ke-hoach-cum-thi-dua-so-5-2021-2022.md';
const seed = readFileSync(FIXTURE, 'utf8');
const proposal = proposeMilestones(seed);

const HEAD_SCHOOL = 'Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa';

/** What the seed says, by hand: title (a stable part), kind, due, place, who acts, documents (from → to). */
const EXPECTED = [
  {
    title: 'Phát động phong trào thi đua và đăng ký thi đua',
    kind: 'registration',
    due: { type: 'none' },
    place: undefined,
    who: ['all'],
    documents: [{ title: 'Đăng ký thi đua năm học 2021 – 2022', from: 'all', to: ['cum-truong', 'cdvc-tinh'] }],
  },
  {
    title: 'Ký kết Giao ước thi đua và triển khai Kế hoạch hoạt động của Cụm Thi đua năm học 2021 - 2022',
    kind: 'covenant',
    due: { type: 'month', month: '2021-08' },
    place: HEAD_SCHOOL,
    who: ['cum-truong'],
    documents: [],
  },
  {
    title: 'Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022',
    kind: 'conference',
    due: { type: 'month', month: '2021-12' },
    place: 'Trường Cao đẳng Nghề Công nghiệp (đơn vị Cụm phó)',
    who: ['cum-truong', 'cum-pho'],
    documents: [],
  },
  {
    title: 'Tổ chức giải thể thao chào mừng kỷ niệm các ngày lễ lớn trong năm và 75 năm Ngày thành lập Công đoàn Thanh Hóa (10/10/1946 – 10/10/2021)',
    kind: 'event',
    due: { type: 'none' },
    place: undefined,
    who: [],
    documents: [],
  },
  {
    title: 'Hội nghị Tổng kết hoạt động năm học 2021 – 2022',
    kind: 'conference',
    due: { type: 'month', month: '2022-06' },
    place: `${HEAD_SCHOOL} (đơn vị Cụm trưởng)`,
    who: ['cum-truong'],
    documents: [],
  },
  {
    title: 'Báo cáo Sơ kết 06 tháng đầu năm',
    kind: 'report',
    due: { type: 'date', date: '2021-12-10', rule: 'before' },
    place: undefined,
    who: ['all'],
    documents: [{ title: 'Báo cáo Sơ kết 06 tháng đầu năm', from: 'all', to: ['cum-truong'] }],
  },
  {
    title: 'Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023',
    kind: 'report',
    due: { type: 'date', date: '2022-05-31', rule: 'before' },
    place: undefined,
    who: ['all'],
    documents: [{ title: 'Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023', from: 'all', to: ['cum-truong'] }],
  },
  {
    title: 'Bảng tự chấm điểm thi đua năm học 2021 – 2022',
    kind: 'self-score',
    due: { type: 'date', date: '2022-05-31', rule: 'before' },
    place: undefined,
    who: ['all'],
    documents: [{ title: 'Bảng tự chấm điểm thi đua năm học 2021 – 2022', from: 'all', to: ['cum-truong'] }],
  },
  {
    title: 'Hồ sơ đề nghị khen thưởng',
    kind: 'award-dossier',
    due: { type: 'none' },
    place: undefined,
    who: ['proposed-for-award'],
    documents: [{ title: 'Hồ sơ đề nghị khen thưởng', from: 'proposed-for-award', to: ['cum-truong'] }],
  },
] as const;

const shape = (m: ProposedMilestone) => ({
  title: m.title,
  kind: m.kind,
  due: m.due,
  place: m.place,
  who: m.responsible.map((r) => r.who),
  documents: m.documents,
});

const byTitle = (part: string): ProposedMilestone => {
  const found = proposal.milestones.filter((m) => m.title.includes(part));
  expect(found, part).toHaveLength(1);
  return found[0]!;
};

describe('importing the reference plan', () => {
  it('uses a faithful copy of ../shared/seed/', () => {
    if (existsSync(SHARED_SEED)) expect(seed).toBe(readFileSync(SHARED_SEED, 'utf8'));
  });

  it('reads the school year, the title and the date of issue', () => {
    expect(proposal.schoolYear).toEqual({ startYear: 2021, endYear: 2022 });
    expect(proposal.title).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(proposal.issuedPlace).toBe('Thanh Hóa');
    expect(proposal.issuedOn).toBe('2021-08-23');
    expect(proposal.warnings).toEqual([]);
  });

  it('finds exactly the milestones of the seed, in the order of the text, and nothing else', () => {
    expect(proposal.milestones.map(shape)).toEqual(EXPECTED);
  });

  it('agrees with the hand-typed reference plan on every kind and due', () => {
    const key = (m: { kind: string; due: unknown }) => `${m.kind} ${JSON.stringify(m.due)}`;
    expect(proposal.milestones.map(key).sort()).toEqual(referenceMilestones.map(key).sort());
  });

  it('keeps the wording of each date, and the sentence it came from', () => {
    expect(proposal.milestones.map((m) => m.dueText ?? null)).toEqual([
      null,
      'tháng 08/2021',
      'dự kiến tháng 12/2021',
      null,
      'dự kiến tháng 06/2022',
      'trước ngày 10/12/2021',
      'trước ngày 31/5/2022',
      'trước ngày 31/5/2022',
      null,
    ]);
    expect(byTitle('Bảng tự chấm điểm').source).toBe(
      'Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023; bảng tự chấm điểm thi đua năm học 2021 – 2022 gửi về đơn vị Cụm trưởng trước ngày 31/5/2022.',
    );
    expect(byTitle('Hội nghị Sơ kết').source).toBe('Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022');
  });

  it('gives each unit its task as the plan words it', () => {
    const midYear = byTitle('Hội nghị Sơ kết');
    expect(midYear.responsible).toEqual([
      { who: 'cum-truong', task: 'Chuẩn bị nội dung báo cáo sơ kết 06 tháng; dự kiến nội dung trao đổi nghiệp vụ; xin ý kiến thành viên trong Cụm; chủ trì hội nghị' },
      { who: 'cum-pho', task: 'Triển khai giấy mời, chuẩn bị các điều kiện cho hội nghị' },
    ]);
    expect(midYear.participants).toMatch(/^Đại diện Ban Thường vụ Công đoàn Viên chức tỉnh; Lãnh đạo các đơn vị thành viên trong Cụm/);
    expect(midYear.content).toHaveLength(2);
    expect(byTitle('Phát động').responsible).toEqual([
      { who: 'all', task: 'Tổ chức phát động phong trào thi đua tại cơ quan, đơn vị; gửi đăng ký thi đua năm học 2021 – 2022 về Cụm trưởng và Công đoàn Viên chức tỉnh' },
    ]);
    expect(byTitle('Báo cáo Sơ kết').responsible).toEqual([{ who: 'all', task: 'Gửi báo cáo Sơ kết 06 tháng đầu năm về đơn vị Cụm trưởng' }]);
  });

  it('keeps notes, and marks the anniversary as a one-off', () => {
    expect(byTitle('Ký kết Giao ước').notes).toEqual([expect.stringMatching(/^Tùy thuộc vào tình hình dịch bệnh Covid-19/)]);
    expect(byTitle('giải thể thao').notes).toEqual(['Tùy thuộc tình hình thực tế sẽ triển khai Kế hoạch sau']);
    expect(proposal.milestones.filter((m) => !m.recurring).map((m) => m.kind)).toEqual(['event']);
    expect(byTitle('Hồ sơ đề nghị').notes).toEqual(['Thực hiện theo Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021 của Ban Thường vụ Công đoàn Viên chức tỉnh']);
  });

  it('scores confidence by the stated rule: found 0.4, date 0.3, who 0.15, where 0.15', () => {
    expect(proposal.milestones.map((m) => m.confidence)).toEqual([0.7, 1, 1, 0.4, 1, 0.85, 0.85, 0.85, 0.4]);
    expect(byTitle('Hồ sơ đề nghị').reasons).toEqual([
      'kế hoạch không ghi thời gian',
      'người gửi không ghi: các đơn vị được đề nghị khen thưởng',
      'nơi nhận không ghi: theo các tài liệu khác cùng mục',
    ]);
  });

  it('maps onto real milestones and a plan', () => {
    const plan = toPlanInput(proposal, 'thanh-hoa-cum-5');
    expect(plan).toMatchObject({ planId: '2021-2022', schoolYear: { startYear: 2021, endYear: 2022 }, issuedOn: '2021-08-23' });
    const milestones = proposal.milestones.map((p) => MilestoneSchema.parse(toMilestoneInput(p, 'thanh-hoa-cum-5', '2021-2022')));
    expect(new Set(milestones.map((m) => m.milestoneId)).size).toBe(9);
    expect(milestones.find((m) => m.kind === 'registration')?.document).toEqual({
      title: 'Đăng ký thi đua năm học 2021 – 2022',
      from: { type: 'all' },
      recipients: ['cum-truong', 'cdvc-tinh'],
    });
    // No recipient is written: the task is the plan's own sentence rather than a "send to" it does not say.
    expect(milestones.find((m) => m.kind === 'award-dossier')?.assignments).toEqual([
      { who: { type: 'proposed-for-award' }, task: 'Hồ sơ đề nghị khen thưởng thực hiện theo Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021 của Ban Thường vụ Công đoàn Viên chức tỉnh' },
    ]);
  });

  it('reads the same milestones from the plain text of the plan (no markdown), as pasted from Word', () => {
    const plain = seed
      .split('\n')
      .map((line) => line.replace(/^#+\s*/, '').replace(/\*\*/g, '').replace(/\\\*/g, '*').replace(/\*([^*]+)\*/g, '$1').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1'))
      .join('\n');
    expect(plain).not.toMatch(/\*\*|^#/m);
    expect(proposeMilestones(plain).milestones.map(shape)).toEqual(EXPECTED);
  });

  it('reads the same with Windows line ends and decomposed (NFD) diacritics', () => {
    expect(proposeMilestones(seed.normalize('NFD').replace(/\n/g, '\r\n')).milestones.map(shape)).toEqual(EXPECTED);
  });
});
