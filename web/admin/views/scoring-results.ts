/**
 * Xếp hạng và đề xuất: the ranked table (shared ranks marked, self against verified per group, bonus, deductions with
 * their sources, band, registration, proposal with its reason and notes), ties and how they were separated, the
 * warnings to settle before freezing, the suy tôn ballot count, registration records, exports, and "Chốt kết quả".
 */
import { TIE_BREAK_LABELS } from '../../../shared/domain/scoring-labels';
import { api } from '../api';
import { append, button, check, field, fill, h, type Child } from '../dom';
import { formatDateTime, formatDeduction, formatPoints as pts } from '../format';
import type { ResultRow } from '../types';
import { message } from '../ui';
import { act, row, table, writeArea, type ScoringCtx } from './scoring-common';

const PROPOSAL_LABELS = { 'not-proposed': 'Không đề nghị', ineligible: 'Không đủ điều kiện' } as const;

function deductionsCell(r: ResultRow): Child {
  const lines = r.deductions.lines;
  if (lines.length === 0) return '0';
  const text = lines.map((l) => `${formatDeduction(l.applied)}: ${l.description}${l.override ? ` (điều chỉnh từ −${pts(l.points)}: ${l.override.reason})` : ''}`);
  return h('details', { class: 'sources', title: text.join('\n') }, h('summary', null, formatDeduction(r.deductions.total)), h('ul', null, text.map((t) => h('li', null, t))));
}

function proposalCell(r: ResultRow): Child {
  const p = r.proposal;
  return h(
    'div',
    { class: `proposal proposal--${p.status}` },
    h('strong', null, p.award?.label ?? PROPOSAL_LABELS[p.status as keyof typeof PROPOSAL_LABELS]),
    h('span', { class: 'facts__note' }, p.reason),
    p.notes.length > 0 && h('ul', { class: 'hint' }, p.notes.map((n) => h('li', null, n))),
  );
}

export function resultsSection(s: ScoringCtx, root: HTMLElement): void {
  const { data } = s;
  const results = data.results;
  if (!results) {
    root.append(message('info', 'Chưa có thang điểm: hãy tạo thang điểm (phần “Thang điểm”) trước.'));
    return;
  }
  const names = new Map(results.rows.map((r) => [r.unitId, r.name]));
  const name = (id: string) => names.get(id) ?? id;
  const formArea = h('div');
  const exportLink = (format: string, label: string) =>
    h('a', { class: 'btn', href: `${s.path('export')}?format=${format}`, download: true, 'data-testid': `export-${format}` }, label);

  const head: Child[] = [
    'Hạng',
    'Đơn vị',
    'Tự chấm',
    'Sau thẩm định',
    ...(results.rows[0]?.groups ?? []).map((g) => h('abbr', { title: `Nhóm ${g.code}: ${g.title}` }, g.code)),
    'Thưởng',
    'Trừ',
    'Xếp loại',
    'Đăng ký thi đua',
    'Đề xuất',
  ];
  const rows = results.rows.map((r) => {
    const shared = results.rows.filter((o) => o.rank === r.rank).length > 1;
    const register =
      s.ctx.canWrite &&
      button('Ghi nhận đăng ký thi đua', () => registrationForm(s, r, formArea), { class: 'btn btn--ghost', disabled: s.frozen, 'data-testid': `register-${r.unitId}` });
    return row(
      [
        h('span', { 'data-testid': `rank-${r.unitId}` }, String(r.rank), shared && h('span', { class: 'tag' }, 'đồng hạng')),
        h('strong', null, r.name),
        pts(r.selfTotal),
        h('strong', { class: r.total !== r.selfTotal ? 'changed' : null }, pts(r.total)),
        ...r.groups.map((g) => h('span', { class: g.self !== g.verified ? 'changed' : null }, `${pts(g.self)} / ${pts(g.verified)}`)),
        `${pts(r.bonus.self)} / ${pts(r.bonus.final)}`,
        deductionsCell(r),
        r.band.label,
        h('span', null, r.registration.note, register),
        proposalCell(r),
      ],
      { 'data-testid': `result-row-${r.unitId}` },
    );
  });

  const ties = results.ties.map((t) =>
    h(
      'li',
      null,
      `Bằng ${pts(t.total)} điểm: ${t.unitIds.map(name).join(', ')}. `,
      t.steps.map((step) => (step.by === 'unresolved' ? `${name(step.above)} và ${name(step.below)}: chưa phân định được, cần bỏ phiếu. ` : `${name(step.above)} xếp trên ${name(step.below)}: ${TIE_BREAK_LABELS[step.by]}. `)),
    ),
  );

  append(
    root,
    s.note,
    results.warnings.length > 0 && message('warn', h('p', null, h('strong', null, 'Cần xử lý trước khi chốt kết quả')), h('ul', { 'data-testid': 'warnings' }, results.warnings.map((w) => h('li', null, w)))),
    h('div', { class: 'toolbar' }, h('p', { class: 'stamp' }, `Tính lúc ${formatDateTime(results.asOf)}, thang điểm phiên bản ${results.schemeVersion}`), exportLink('xlsx', 'Tải Excel'), exportLink('csv', 'Tải CSV')),
    h('p', { class: 'hint' }, 'Cột nhóm, điểm thưởng: tự chấm / tính (sau thẩm định). Bấm vào điểm trừ để xem nguồn.'),
    table('Bảng xếp hạng (cuộn ngang)', head, rows, { 'data-testid': 'results-table', class: 'list results' }),
    formArea,
    ties.length > 0 && [h('h3', null, 'Các đơn vị bằng điểm'), h('ul', { 'data-testid': 'ties' }, ties)],
    ballotsForm(s),
    !s.frozen && freezeForm(s),
  );
}

function registrationForm(s: ScoringCtx, r: ResultRow, area: HTMLElement): void {
  const yes = h('input', { type: 'radio', name: 'registered', value: 'yes', checked: !r.registration.registered });
  const no = h('input', { type: 'radio', name: 'registered', value: 'no', checked: r.registration.registered });
  const reason = h('input', { type: 'text', name: 'reason', required: true, minlength: '5', maxlength: '1000' });
  const out = h('div', { class: 'result' });
  const form = h(
    'form',
    { class: 'form card', 'data-testid': 'registration-form' },
    h('h3', null, `Ghi nhận đăng ký thi đua: ${r.name}`),
    h('p', { class: 'hint' }, `Hiện tại: ${r.registration.note}`),
    h('div', { class: 'radios' }, check('Đã đăng ký thi đua', yes), check('Chưa đăng ký thi đua', no)),
    field('Lý do (bắt buộc, ví dụ: bản đăng ký gửi qua đường văn thư)', reason),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Ghi nhận'), button('Hủy', () => area.replaceChildren())),
    out,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(form, out, async () => {
      await api('POST', s.path('units', r.unitId, 'registration'), { registered: yes.checked, reason: reason.value });
      await s.reload();
      fill(s.note, message('ok', `Đã ghi nhận ${r.name} ${yes.checked ? 'đã' : 'chưa'} đăng ký thi đua.`));
    });
  });
  fill(area, form);
  form.scrollIntoView({ block: 'nearest' });
}

function ballotsForm(s: ScoringCtx): Child {
  const tally = s.data.state.tally;
  const count = (value: number | undefined, label: string) => h('input', { type: 'number', min: '0', step: '1', value: value === undefined ? '' : String(value), 'aria-label': label, class: 'pts' });
  const cast = count(tally?.ballotsCast, 'Số phiếu hợp lệ');
  const votes = (s.data.results?.rows ?? []).map((r) => ({ unitId: r.unitId, input: count(tally?.votes.find((v) => v.unitId === r.unitId)?.count, `Phiếu đồng ý: ${r.name}`), name: r.name }));
  const out = h('div', { class: 'result' });
  const form = h(
    'form',
    { class: 'form ballots', 'data-testid': 'ballots-form' },
    field('Số phiếu hợp lệ', cast),
    table('Phiếu đồng ý theo đơn vị', ['Đơn vị', 'Phiếu đồng ý'], votes.map((v) => row([v.name, v.input]))),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, 'Lưu kết quả bỏ phiếu')),
    out,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(form, out, async () => {
      await api('PUT', s.path('ballots'), { ballotsCast: Number(cast.value), votes: votes.filter((v) => v.input.value !== '').map((v) => ({ unitId: v.unitId, count: Number(v.input.value) })) });
      await s.reload();
      fill(s.note, message('ok', 'Đã lưu kết quả bỏ phiếu suy tôn.'));
    });
  });
  const recorded = tally?.recordedAt ? h('p', { class: 'hint' }, `Đã ghi lúc ${formatDateTime(tally.recordedAt)}.`) : null;
  if (!s.ctx.canWrite) return tally ? [h('h3', null, 'Bỏ phiếu suy tôn'), h('p', null, `${tally.ballotsCast} phiếu hợp lệ.`), recorded] : null;
  return [h('h3', null, 'Bỏ phiếu suy tôn'), recorded, writeArea(s, {}, form)];
}

function freezeForm(s: ScoringCtx): Child {
  const note = h('input', { type: 'text', name: 'note', maxlength: '1000' });
  const out = h('div', { class: 'result' });
  const form = h('form', { class: 'form form--inline', 'data-testid': 'freeze-form' }, field('Ghi chú (không bắt buộc)', note), h('button', { type: 'submit', class: 'btn btn--primary' }, 'Chốt kết quả'), out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!confirm('Chốt kết quả chấm điểm? Sau khi chốt, mọi thay đổi điểm cần mở khóa và ghi rõ lý do.')) return;
    void act(form, out, async () => {
      await api('POST', s.path('freeze'), note.value.trim() ? { note: note.value.trim() } : {});
      await s.reload();
      fill(s.note, message('ok', 'Đã chốt kết quả.'));
    });
  });
  return writeArea(s, {}, h('h3', null, 'Chốt kết quả'), h('p', { class: 'hint' }, 'Sau hội nghị, chốt kết quả để không ai sửa được điểm; mở khóa cần ghi rõ lý do.'), form);
}
