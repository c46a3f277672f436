/**
 * The reference plan: "Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022" (../shared/seed/), as data.
 *
 * The head and deputy units are named as in the seed. The seed does not name the other member units: the four
 * member units below are invented, labelled "(đơn vị mẫu)" and flagged isSample, with addresses on example.com.
 * The year-end row of the seed asks for two documents (the report and the self-scoring table); they are two
 * milestones here so that each has its own status, reminders and lateness.
 */
import type { AdminGrant } from '../domain/admin';
import { MilestoneSchema, PlanSchema, UnitSchema, ClusterSchema, type Cluster, type Milestone, type MilestoneInput, type Plan, type Unit } from '../domain/model';

export const REFERENCE_CLUSTER_ID = 'thanh-hoa-cum-5';
export const REFERENCE_PLAN_ID = '2021-2022';

export const HEAD_UNIT_ID = 'dh-vhttdl-thanh-hoa';
export const DEPUTY_UNIT_ID = 'cd-nghe-cong-nghiep-thanh-hoa';

const HEAD_PLACE = 'Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa';
/** Thành phần tham dự of both conferences, as the seed lists it. */
const CONFERENCE_PARTICIPANTS =
  'Đại diện Ban Thường vụ Công đoàn Viên chức tỉnh; Lãnh đạo các đơn vị thành viên trong Cụm; Ban Chấp hành Công đoàn cơ sở các đơn vị thành viên trong Cụm';
const ATTEND_CONFERENCE = {
  who: { type: 'all' },
  task: 'Lãnh đạo đơn vị và Ban Chấp hành Công đoàn cơ sở dự hội nghị',
} as const;
const DEPUTY_PLACE = 'Trường Cao đẳng Nghề Công nghiệp Thanh Hóa (đơn vị Cụm phó)';

export const referenceCluster: Cluster = ClusterSchema.parse({
  clusterId: REFERENCE_CLUSTER_ID,
  name: 'Cụm Thi đua số 5',
  province: { id: 'cdvc-thanh-hoa', name: 'Công đoàn Viên chức tỉnh Thanh Hóa' },
});

const unit = (u: Omit<Unit, 'clusterId' | 'linkVersion' | 'active' | 'isSample'> & { isSample?: boolean }): Unit =>
  UnitSchema.parse({ clusterId: REFERENCE_CLUSTER_ID, ...u });

export const referenceUnits: Unit[] = [
  unit({
    unitId: HEAD_UNIT_ID,
    name: 'Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa',
    role: 'cum-truong',
    emails: ['congdoan.dvtdt@gmail.com'],
    contactName: 'Nguyễn Thanh Tâm',
  }),
  unit({
    unitId: DEPUTY_UNIT_ID,
    name: 'Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa',
    role: 'cum-pho',
    // The seed gives no address for the deputy: an example address, to be replaced by the real one.
    emails: ['cum-pho.cd-nghe-cn@example.com'],
  }),
  ...(['a', 'b', 'c', 'd'] as const).map((letter) =>
    unit({
      unitId: `don-vi-mau-${letter}`,
      name: `Công đoàn Trường mẫu ${letter.toUpperCase()} (đơn vị mẫu)`,
      role: 'thanh-vien',
      emails: [`don-vi-mau-${letter}@example.com`],
      isSample: true,
    }),
  ),
];

/**
 * A provincial-union viewer for the local stack (sees every cluster of the province, read-only). An example address:
 * the seed names none.
 */
export const referenceProvinceViewer = {
  scope: 'province',
  email: 'van-phong.cdvc-thanh-hoa@example.com',
  provinceId: referenceCluster.province.id,
} as const satisfies AdminGrant;

export const referencePlan: Plan = PlanSchema.parse({
  clusterId: REFERENCE_CLUSTER_ID,
  planId: REFERENCE_PLAN_ID,
  schoolYear: { startYear: 2021, endYear: 2022 },
  title: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022',
  issuedPlace: 'Thanh Hóa',
  issuedOn: '2021-08-23',
  signedBy: { name: 'Trịnh Thị Thúy Khuyên', position: 'Cụm trưởng' },
  basis: 'Hướng dẫn số 40/HD-CĐVC, ngày 17/3/2021 của Công đoàn Viên chức tỉnh về hoạt động Cụm Thi đua',
  contact: {
    name: 'Nguyễn Thanh Tâm',
    position: 'Phó Chủ tịch Công đoàn trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa',
    address: 'Số 561, Quang Trung 3, P. Đông Vệ, TP. Thanh Hóa',
    phone: '0949.007.377',
    email: 'congdoan.dvtdt@gmail.com',
  },
  beforeDayInclusive: false,
  reminderHour: 8,
});

const ms = (m: Omit<MilestoneInput, 'clusterId' | 'planId'>): Milestone =>
  MilestoneSchema.parse({ clusterId: REFERENCE_CLUSTER_ID, planId: REFERENCE_PLAN_ID, ...m });

export const referenceMilestones: Milestone[] = [
  ms({
    milestoneId: 'dang-ky-thi-dua',
    order: 1,
    kind: 'registration',
    title: 'Phát động phong trào thi đua và đăng ký thi đua năm học 2021 - 2022',
    due: { type: 'none' },
    dueText: 'Đầu năm học (kế hoạch không ghi ngày)',
    content: [
      'Các đơn vị trong Cụm Thi đua tổ chức phát động phong trào thi đua tại cơ quan, đơn vị',
      'Đăng ký thi đua năm học 2021 – 2022 của các đơn vị gửi Cụm trưởng và Công đoàn Viên chức tỉnh',
    ],
    assignments: [
      {
        who: { type: 'all' },
        task: 'Tổ chức phát động phong trào thi đua tại cơ quan, đơn vị; gửi đăng ký thi đua về Cụm trưởng và Công đoàn Viên chức tỉnh',
      },
    ],
    document: {
      title: 'Bản đăng ký thi đua năm học 2021 - 2022',
      from: { type: 'all' },
      recipients: ['cum-truong', 'cdvc-tinh'],
    },
  }),
  ms({
    milestoneId: 'ky-ket-giao-uoc',
    order: 2,
    kind: 'covenant',
    title: 'Ký kết Giao ước thi đua và triển khai Kế hoạch hoạt động của Cụm Thi đua năm học 2021 - 2022',
    due: { type: 'month', month: '2021-08' },
    dueText: 'tháng 08/2021',
    place: HEAD_PLACE,
    assignments: [
      {
        who: { type: 'roles', roles: ['cum-truong'] },
        task: 'Chuẩn bị nội dung, xin ý kiến thành viên trong Cụm, tiếp thu, hoàn thiện; triển khai ký Giao ước thi đua và Kế hoạch hoạt động năm học 2021 – 2022 tới các đơn vị thành viên trong Cụm thông qua văn bản',
      },
      { who: { type: 'all' }, task: 'Ký Giao ước thi đua năm học 2021 - 2022' },
    ],
    document: { title: 'Giao ước thi đua đã ký', from: { type: 'all' }, recipients: ['cum-truong'] },
    notes: [
      'Tùy thuộc vào tình hình dịch bệnh Covid-19, nếu dịch bệnh diễn biến phức tạp, đơn vị Cụm trưởng sẽ báo cáo xin ý kiến chỉ đạo của Công đoàn Viên chức tỉnh để thực hiện việc ký Giao ước thi đua và triển khai Kế hoạch hoạt động năm học 2021 – 2022 tới các đơn vị thành viên trong Cụm thông qua văn bản.',
    ],
  }),
  ms({
    milestoneId: 'bao-cao-so-ket-6-thang',
    order: 3,
    kind: 'report',
    title: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
    due: { type: 'date', date: '2021-12-10', rule: 'before' },
    dueText: 'trước ngày 10/12/2021',
    assignments: [{ who: { type: 'all' }, task: 'Gửi báo cáo sơ kết 06 tháng về đơn vị Cụm trưởng' }],
    document: { title: 'Báo cáo sơ kết 06 tháng đầu năm học', from: { type: 'all' }, recipients: ['cum-truong'] },
  }),
  ms({
    milestoneId: 'hoi-nghi-so-ket-hk1',
    order: 4,
    kind: 'conference',
    title: 'Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022',
    due: { type: 'month', month: '2021-12' },
    dueText: 'dự kiến tháng 12/2021',
    place: DEPUTY_PLACE,
    participants: CONFERENCE_PARTICIPANTS,
    content: [
      'Sơ kết đánh giá kết quả thực hiện công tác công đoàn và nội dung giao ước thi đua học kỳ I, năm học 2021 – 2022',
      'Trao đổi nghiệp vụ, kinh nghiệm trên các lĩnh vực công tác của ngành (chuyên đề cụ thể do Cụm trưởng thống nhất với đơn vị Cụm phó và các thành viên trong Cụm)',
    ],
    assignments: [
      {
        who: { type: 'roles', roles: ['cum-truong'] },
        task: 'Chuẩn bị nội dung báo cáo sơ kết 06 tháng; dự kiến nội dung trao đổi nghiệp vụ; xin ý kiến thành viên trong Cụm; chủ trì hội nghị',
      },
      {
        who: { type: 'roles', roles: ['cum-pho'] },
        task: 'Triển khai giấy mời, chuẩn bị các điều kiện cho hội nghị',
      },
      ATTEND_CONFERENCE,
    ],
  }),
  ms({
    milestoneId: 'giai-the-thao-75-nam',
    order: 5,
    kind: 'event',
    title:
      'Giải thể thao chào mừng kỷ niệm các ngày lễ lớn trong năm và 75 năm Ngày thành lập Công đoàn Thanh Hóa (10/10/1946 – 10/10/2021)',
    due: { type: 'none' },
    dueText: 'Tùy thuộc tình hình thực tế sẽ triển khai Kế hoạch sau',
    assignments: [{ who: { type: 'all' }, task: 'Tham gia theo kế hoạch riêng sẽ triển khai sau' }],
    recurring: false,
  }),
  ms({
    milestoneId: 'bao-cao-tong-ket-nam-hoc',
    order: 6,
    kind: 'report',
    title: 'Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023',
    due: { type: 'date', date: '2022-05-31', rule: 'before' },
    dueText: 'trước ngày 31/5/2022',
    assignments: [{ who: { type: 'all' }, task: 'Gửi báo cáo tổng kết năm học về đơn vị Cụm trưởng' }],
    document: {
      title: 'Báo cáo tổng kết năm học và phương hướng, nhiệm vụ năm học tiếp theo',
      from: { type: 'all' },
      recipients: ['cum-truong'],
    },
  }),
  ms({
    milestoneId: 'bang-tu-cham-diem',
    order: 7,
    kind: 'self-score',
    title: 'Bảng tự chấm điểm thi đua năm học 2021 – 2022',
    due: { type: 'date', date: '2022-05-31', rule: 'before' },
    dueText: 'trước ngày 31/5/2022',
    assignments: [{ who: { type: 'all' }, task: 'Tự chấm điểm thi đua và gửi bảng tự chấm điểm về đơn vị Cụm trưởng' }],
    document: { title: 'Bảng tự chấm điểm thi đua', from: { type: 'all' }, recipients: ['cum-truong'] },
  }),
  ms({
    milestoneId: 'hoi-nghi-tong-ket',
    order: 8,
    kind: 'conference',
    title: 'Hội nghị Tổng kết hoạt động năm học 2021 – 2022',
    due: { type: 'month', month: '2022-06' },
    dueText: 'dự kiến tháng 06/2022',
    place: `${HEAD_PLACE} (đơn vị Cụm trưởng)`,
    participants: CONFERENCE_PARTICIPANTS,
    content: [
      'Tổng kết hoạt động năm học 2021 – 2022, triển khai nhiệm vụ năm học 2022 – 2023 của Cụm Thi đua',
      'Thống nhất kết quả tự chấm điểm, thẩm định điểm của các đơn vị trong Cụm; bình xét, suy tôn, đề xuất khen thưởng cho các đơn vị thành viên trong Cụm',
    ],
    assignments: [
      {
        who: { type: 'roles', roles: ['cum-truong'] },
        task: 'Chuẩn bị nội dung; xin ý kiến thành viên trong Cụm, tiếp thu, hoàn thiện; triển khai giấy mời, các điều kiện chuẩn bị cho hội nghị; chủ trì hội nghị',
      },
      ATTEND_CONFERENCE,
    ],
  }),
  ms({
    milestoneId: 'ho-so-de-nghi-khen-thuong',
    order: 9,
    kind: 'award-dossier',
    title: 'Hồ sơ đề nghị khen thưởng năm học 2021 - 2022',
    due: { type: 'none' },
    dueText: 'Theo Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021 của Ban Thường vụ Công đoàn Viên chức tỉnh',
    assignments: [
      {
        who: { type: 'proposed-for-award' },
        task: 'Lập hồ sơ đề nghị khen thưởng theo Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021',
      },
      {
        who: { type: 'roles', roles: ['cum-truong', 'cum-pho'] },
        task: 'Tổng hợp chấm điểm, dự kiến đề xuất khen thưởng đối với các đơn vị thành viên trong Cụm',
      },
    ],
    document: {
      title: 'Hồ sơ đề nghị khen thưởng',
      from: { type: 'proposed-for-award' },
      recipients: ['cum-truong'],
    },
  }),
];
