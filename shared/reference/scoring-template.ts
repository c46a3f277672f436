/**
 * The default scoring scheme (thang điểm mẫu) for a school's Công đoàn cơ sở, as typical practice has it: a 100-point
 * base in five groups, bonus points capped at 5, deductions of 1 point per late and 3 per missing document, bands
 * Xuất sắc from 95 and Tốt from 85, ties broken by bonus, then fewer deductions, then a vote, one Cờ thi đua (Xuất sắc
 * only) and two Bằng khen, suy tôn by more than half of the ballots.
 *
 * A SAMPLE: Hướng dẫn 40/HD-CĐVC is not available to us, so none of these numbers is verified against it. The scheme
 * is flagged isSample with a note every view shows, until someone checks it and saves their own.
 *
 * Deductions apply to the milestones that ask each unit for a document at a fixed date: covenant, reports and the
 * self-score table. Registration is not deducted (not registering is the gate: no award at all), nor is the award
 * dossier (it comes after the ranking it would change).
 */
import { ScoringSchemeSchema, type ScoringScheme, type ScoringSchemeInput } from '../domain/scoring-scheme';
import { SCORING_SAMPLE_NOTE } from '../domain/scoring-labels';

export const SCORING_TEMPLATE_NOTE = `${SCORING_SAMPLE_NOTE} ngày 17/3/2021 của Công đoàn Viên chức tỉnh trước khi áp dụng`;

const template = (registrationMilestoneId: string): ScoringSchemeInput => ({
  version: 1,
  base: 100,
  groups: [
    {
      id: 'phong-trao-thi-dua',
      title: 'Tổ chức phong trào thi đua',
      maximum: 20,
      criteria: [
        {
          id: 'phat-dong-dang-ky',
          title: 'Phát động phong trào thi đua, đăng ký thi đua và ký kết giao ước thi đua đầy đủ, đúng thời gian',
          maximum: 5,
        },
        {
          id: 'phong-trao-chuyen-mon',
          title: 'Tổ chức các phong trào thi đua: "Giỏi việc nước, đảm việc nhà", "Đổi mới, sáng tạo trong dạy và học", thi đua gắn với nhiệm vụ chuyên môn của nhà trường',
          maximum: 10,
          guidance: 'Có kế hoạch, tổ chức thực hiện và có kết quả cụ thể: tối đa 10 điểm; có kế hoạch nhưng kết quả hạn chế: tối đa 6 điểm',
        },
        { id: 'so-tong-ket-khen-thuong', title: 'Sơ kết, tổng kết phong trào; biểu dương, khen thưởng kịp thời tập thể, cá nhân tiêu biểu', maximum: 5 },
      ],
    },
    {
      id: 'cham-lo-bao-ve',
      title: 'Chăm lo đời sống, bảo vệ quyền, lợi ích hợp pháp, chính đáng của đoàn viên',
      maximum: 25,
      criteria: [
        {
          id: 'dan-chu-co-so',
          title: 'Phối hợp tổ chức Hội nghị viên chức, người lao động; tham gia xây dựng và giám sát thực hiện quy chế dân chủ ở cơ sở',
          maximum: 10,
        },
        { id: 'cham-lo-doi-song', title: 'Chăm lo việc làm, thu nhập, đời sống; thăm hỏi, hỗ trợ đoàn viên có hoàn cảnh khó khăn', maximum: 10 },
        { id: 'giai-quyet-kien-nghi', title: 'Tham gia giải quyết kiến nghị của đoàn viên; không có đơn thư vượt cấp, khiếu kiện đông người', maximum: 5 },
      ],
    },
    {
      id: 'xay-dung-to-chuc',
      title: 'Xây dựng tổ chức công đoàn vững mạnh',
      maximum: 25,
      criteria: [
        { id: 'phat-trien-doan-vien', title: 'Phát triển, quản lý đoàn viên; tỷ lệ đoàn viên trên tổng số người lao động', maximum: 5 },
        { id: 'hoat-dong-bch', title: 'Hoạt động của Ban Chấp hành, Ủy ban Kiểm tra; sinh hoạt định kỳ theo quy chế', maximum: 10 },
        { id: 'tai-chinh-cong-doan', title: 'Thu, chi, quản lý tài chính công đoàn (đoàn phí, kinh phí công đoàn) đúng quy định', maximum: 10 },
      ],
    },
    {
      id: 'nu-cong-van-hoa',
      title: 'Công tác tuyên truyền, nữ công, văn hóa, thể thao',
      maximum: 15,
      criteria: [
        { id: 'tuyen-truyen', title: 'Tuyên truyền, giáo dục chính trị tư tưởng, phổ biến pháp luật cho đoàn viên', maximum: 5 },
        { id: 'nu-cong', title: 'Công tác nữ công, bình đẳng giới; chăm lo con đoàn viên', maximum: 5 },
        { id: 'van-hoa-the-thao', title: 'Hoạt động văn hóa, văn nghệ, thể dục thể thao; tham gia hoạt động chung của Cụm', maximum: 5 },
      ],
    },
    {
      id: 'thong-tin-bao-cao',
      title: 'Thực hiện chế độ thông tin, báo cáo của Cụm',
      maximum: 15,
      criteria: [
        {
          id: 'bao-cao-day-du',
          title: 'Gửi đăng ký thi đua, báo cáo sơ kết, tổng kết và bảng tự chấm điểm đầy đủ, đúng nội dung',
          maximum: 10,
          guidance: 'Chấm nội dung, chất lượng báo cáo; việc nộp muộn, không nộp đã bị trừ điểm tự động, không trừ thêm ở đây',
        },
        { id: 'tham-du-hoi-nghi', title: 'Tham dự đầy đủ hội nghị, các hoạt động chung của Cụm', maximum: 5 },
      ],
    },
  ],
  bonus: {
    cap: 5,
    items: [
      { id: 'mo-hinh-sang-kien', title: 'Có mô hình, cách làm hay, sáng kiến được cấp có thẩm quyền công nhận', maximum: 2 },
      { id: 'khen-thuong-cap-tren', title: 'Được cấp trên khen thưởng chuyên đề, đột xuất trong năm học', maximum: 2 },
      { id: 'dang-cai-hoat-dong-cum', title: 'Đăng cai, tổ chức hoạt động chung của Cụm', maximum: 2 },
    ],
  },
  deductions: {
    rules: [
      { kind: 'covenant', late: 1, missing: 3 },
      { kind: 'report', late: 1, missing: 3 },
      { kind: 'self-score', late: 1, missing: 3 },
    ],
  },
  bands: [
    { id: 'xuat-sac', label: 'Xuất sắc', minimum: 95 },
    { id: 'tot', label: 'Tốt', minimum: 85 },
    { id: 'kha', label: 'Khá', minimum: 0 },
  ],
  tieBreak: ['bonus', 'fewer-deductions', 'vote'],
  registrationMilestoneId,
  awards: [
    { award: 'co-thi-dua', label: 'Cờ thi đua', count: 1, minBand: 'xuat-sac', voteRequired: true },
    { award: 'bang-khen', label: 'Bằng khen', count: 2, voteRequired: true },
  ],
  vote: { threshold: 0.5, comparison: 'more-than' },
  isSample: true,
  sampleNote: SCORING_TEMPLATE_NOTE,
});

/** The sample scheme for a plan whose registration milestone has the given id (the reference plan's by default). */
export function defaultScoringScheme(registrationMilestoneId = 'dang-ky-thi-dua'): ScoringScheme {
  return ScoringSchemeSchema.parse(template(registrationMilestoneId));
}

export const DEFAULT_SCORING_SCHEME: ScoringScheme = defaultScoringScheme();
