/**
 * Thang điểm: the plan's scheme as the conference reads it (groups and criteria with their maxima, bonus, deductions
 * per kind of milestone, bands, tie-breaks, registration, award quotas, suy tôn threshold), its version history,
 * "Dùng thang điểm mẫu" while there is none, and opening self-scoring. The editor is in scoring-scheme-form.ts.
 */
import { SCORING_SAMPLE_NOTE, TIE_BREAK_LABELS, describeVoteRule, groupCode } from '../../../shared/domain/scoring-labels';
import { api } from '../api';
import { append, button, field, fill, h, type Child } from '../dom';
import { formatDateTime, formatPoints as pts } from '../format';
import { MILESTONE_KIND_LABELS } from '../labels';
import type { Res, ScoringScheme } from '../types';
import { message } from '../ui';
import { act, row, table, writeArea, type ScoringCtx } from './scoring-common';
import { schemeForm } from './scoring-scheme-form';


const fact = (label: string, ...value: Child[]): HTMLElement => h('div', null, h('dt', null, label), h('dd', null, ...value));
const list = (items: Child[]): HTMLElement => h('ul', null, items.map((i) => h('li', null, i)));

/** The whole scheme, read-only. */
export function describeScheme(scheme: ScoringScheme, milestoneTitle: (id: string) => string): HTMLElement {
  const rows = scheme.groups.flatMap((g, gi) => [
    row([groupCode(gi), g.title, pts(g.maximum)], { class: 'group-row' }),
    ...g.criteria.map((c, ci) => row([`${gi + 1}.${ci + 1}`, h('span', null, c.title, c.guidance && h('span', { class: 'facts__note hint' }, c.guidance)), pts(c.maximum)])),
  ]);
  const bands = scheme.bands.map((b) => `${b.label}: từ ${pts(b.minimum)} điểm`);
  return h(
    'div',
    { class: 'scheme', 'data-testid': 'scheme' },
    table('Tiêu chí chấm điểm', ['Mã', 'Nội dung', 'Điểm tối đa'], [...rows, row(['', 'Điểm chuẩn', pts(scheme.base)], { class: 'group-row' })], { 'data-testid': 'scheme-criteria' }),
    h(
      'dl',
      { class: 'facts scheme__facts card' },
      fact(`Điểm thưởng (tổng tối đa ${pts(scheme.bonus.cap)} điểm)`, scheme.bonus.items.length ? list(scheme.bonus.items.map((b) => `${b.title}: tối đa ${pts(b.maximum)}`)) : 'Không có'),
      fact(
        'Điểm trừ tự động',
        scheme.deductions.rules.length ? list(scheme.deductions.rules.map((r) => `${MILESTONE_KIND_LABELS[r.kind]}: nộp muộn trừ ${pts(r.late)}, không nộp trừ ${pts(r.missing)}`)) : 'Không có',
        scheme.deductions.cap !== undefined && h('span', { class: 'facts__note' }, `Trừ tối đa ${pts(scheme.deductions.cap)} điểm.`),
      ),
      fact('Mức xếp loại', list(bands)),
      fact('Khi bằng điểm, xét lần lượt', scheme.tieBreak.length ? h('ol', null, scheme.tieBreak.map((t) => h('li', null, TIE_BREAK_LABELS[t]))) : 'Không xét'),
      fact('Điều kiện đăng ký thi đua', `Đã nộp tài liệu của mốc “${milestoneTitle(scheme.registrationMilestoneId)}”`),
      fact(
        'Chỉ tiêu khen thưởng',
        scheme.awards.length
          ? list(scheme.awards.map((a) => `${a.label}: ${a.count} đơn vị${a.minBand ? `, từ mức ${scheme.bands.find((b) => b.id === a.minBand)?.label ?? a.minBand}` : ''}${a.voteRequired ? ', cần đạt tỷ lệ phiếu suy tôn' : ''}`))
          : 'Không có',
      ),
      fact('Tỷ lệ phiếu suy tôn', describeVoteRule(scheme.vote)),
    ),
  );
}

/** "Mở tự chấm điểm" (today or a later day) until it is open; then when it opened. */
function openPanel(s: ScoringCtx): Child {
  const state = s.data.state;
  if (state.selfScoringOpen) return h('p', { class: 'msg msg--info', 'data-testid': 'self-score-state' }, `Các đơn vị được tự chấm điểm từ ${formatDateTime(state.selfScoreOpensAt!)}. Từ đó thang điểm chỉ thay đổi bằng phiên bản mới kèm lý do.`);
  const from = h('input', { type: 'date', name: 'from' });
  const out = h('div', { class: 'result' });
  const form = h('form', { class: 'form form--inline', 'data-testid': 'open-form' }, field('Mở từ ngày (để trống: ngay bây giờ)', from), h('button', { type: 'submit', class: 'btn btn--primary' }, 'Mở tự chấm điểm'), out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(form, out, async () => {
      const opened = await api<Res<'OpenSelfScoring'>>('POST', s.path('open'), from.value ? { from: from.value } : {});
      await s.reload();
      fill(s.note, message('ok', `Đã mở tự chấm điểm từ ${formatDateTime(opened.opensAt)}.`));
    });
  });
  return h(
    'div',
    { 'data-testid': 'self-score-state' },
    h('p', null, state.selfScoreOpensAt ? `Sẽ mở tự chấm điểm từ ${formatDateTime(state.selfScoreOpensAt)}.` : 'Chưa mở tự chấm điểm: các đơn vị chưa điền được bảng tự chấm.'),
    writeArea(s, {}, form),
  );
}

export function schemeSection(s: ScoringCtx, root: HTMLElement): void {
  const { data } = s;
  const titles = new Map(data.milestones.map((m) => [m.milestoneId, m.title]));
  const title = (id: string) => titles.get(id) ?? id;
  const scheme = data.scheme;
  if (!scheme) {
    const use = button(
      'Dùng thang điểm mẫu',
      () =>
        void act(use, s.note, async () => {
          await api('PUT', s.path('scheme'), data.template);
          await s.reload();
          fill(s.note, message('ok', `Đã tạo thang điểm từ mẫu (phiên bản 1). ${SCORING_SAMPLE_NOTE}.`));
        }),
      { class: 'btn btn--primary', 'data-testid': 'use-template' },
    );
    append(
      root,
      s.note,
      message('info', h('p', null, 'Kế hoạch này chưa có thang điểm. Có thể bắt đầu từ thang điểm mẫu dưới đây rồi sửa cho đúng hướng dẫn của tỉnh.'), writeArea(s, {}, h('p', { class: 'actions' }, use, h('span', { class: 'tag tag--sample' }, SCORING_SAMPLE_NOTE)))),
      h('h3', null, 'Thang điểm mẫu'),
      describeScheme(data.template, title),
    );
    return;
  }
  const formArea = h('div');
  const edit = button('Sửa thang điểm', () => schemeForm(s, scheme, formArea), { 'data-testid': 'edit-scheme' });
  append(
    root,
    s.note,
    h(
      'p',
      { class: 'scheme__version', 'data-testid': 'scheme-version' },
      h('strong', null, `Thang điểm phiên bản ${scheme.version}`),
      scheme.isSample && [' ', h('span', { class: 'tag tag--sample' }, 'Mẫu')],
      scheme.changeReason && ` Lý do thay đổi: ${scheme.changeReason}`,
    ),
    scheme.isSample && message('warn', scheme.sampleNote ?? SCORING_SAMPLE_NOTE),
    openPanel(s),
    writeArea(s, {}, h('p', { class: 'actions' }, edit)),
    formArea,
    describeScheme(scheme, title),
    h('h3', null, 'Các phiên bản'),
    table(
      'Các phiên bản thang điểm',
      ['Phiên bản', 'Lưu lúc', 'Người lưu', 'Lý do thay đổi'],
      [...data.schemeVersions].reverse().map((v) => row([String(v.version), formatDateTime(v.savedAt), v.savedBy, v.changeReason ?? '—'])),
      { 'data-testid': 'scheme-versions' },
    ),
  );
}
