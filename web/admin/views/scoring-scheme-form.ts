/**
 * The scheme editor: a form over the scheme's own structure (criteria and their maxima, bonus, deductions per kind of
 * milestone, bands, award quotas, suy tôn threshold, tie-break order) that PUTs the whole scheme. A group's maximum
 * is the sum of its criteria. Once self-scoring has opened the save is version + 1 and needs "Lý do thay đổi"; the
 * server's checks (sums, order of bands, frozen results …) come back in Vietnamese and are shown as they are, each
 * under the part of the form its path names (`data-field`: "groups.0.criteria" → Nhóm 1).
 */
import { TIE_BREAKS, TIE_BREAK_LABELS, type TieBreak } from '../../../shared/domain/scoring-labels';
import { sumPoints } from '../../../shared/domain/scoring-points';
import { api } from '../api';
import { button, check, field, fill, h, select } from '../dom';
import { formatPoints as pts, parsePoints } from '../format';
import { MILESTONE_KIND_LABELS } from '../labels';
import type { MilestoneView, Res, SchemeBody, ScoringScheme } from '../types';
import { message } from '../ui';
import { act, pointsInput, type ScoringCtx } from './scoring-common';
import { slugify } from './plan';

type Kind = MilestoneView['kind'];

/** A text or points input written back into `obj[key]` as the person types (points: NaN when not a number). */
function bound(obj: object, key: string, label: string, kind: 'text' | 'points' = 'text'): HTMLInputElement {
  const o = obj as Record<string, unknown>;
  const el = kind === 'text' ? h('input', { type: 'text', name: key, value: String(o[key] ?? ''), 'aria-label': label }) : pointsInput(key, o[key] as number, label);
  el.addEventListener('input', () => (o[key] = kind === 'text' ? el.value : (parsePoints(el.value) ?? NaN)));
  return el;
}

/** Ids for new criteria and bonus items: from the title, unique within `taken`. */
function newId(title: string, taken: Set<string>, fallback: string): string {
  const base = slugify(title).slice(0, 58) || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

export function schemeForm(s: ScoringCtx, scheme: ScoringScheme, area: HTMLElement): void {
  const draft: ScoringScheme = structuredClone(scheme);
  const opened = s.data.state.selfScoringOpen;
  const out = h('div', { class: 'result', 'aria-live': 'polite' });

  // Groups and their criteria: add and remove criteria; the group's maximum follows.
  const groups = draft.groups.map((g, gi) => {
    const box = h('fieldset', { class: 'fieldset', 'data-field': `groups.${gi}`, 'data-testid': `edit-group-${g.id}` });
    const sum = h('span', { class: 'hint' });
    const total = () => (sum.textContent = `Tổng: ${pts(sumPoints(g.criteria.map((c) => c.maximum || 0)))} điểm`);
    box.addEventListener('input', total);
    const draw = (): void => {
      total();
      fill(
        box,
        h('legend', null, `Nhóm ${gi + 1}`),
        field('Tên nhóm', bound(g, 'title', 'Tên nhóm')),
        g.criteria.map((c, ci) =>
          h(
            'div',
            { class: 'crit-edit', 'data-testid': `edit-criterion-${c.id || ci}` },
            h('span', { class: 'crit-edit__code' }, `${gi + 1}.${ci + 1}`),
            bound(c, 'title', `Tiêu chí ${gi + 1}.${ci + 1}`),
            bound(c, 'maximum', `Điểm tối đa tiêu chí ${gi + 1}.${ci + 1}`, 'points'),
            button('Bỏ', () => (g.criteria.splice(ci, 1), draw()), { class: 'btn btn--ghost', 'aria-label': `Bỏ tiêu chí ${gi + 1}.${ci + 1}` }),
          ),
        ),
        h('p', { class: 'actions' }, button('Thêm tiêu chí', () => (g.criteria.push({ id: '', title: '', maximum: 1 }), draw()), { class: 'btn btn--ghost' }), sum),
      );
    };
    draw();
    return box;
  });

  const bonusItems = h('div');
  const drawBonus = (): void =>
    fill(
      bonusItems,
      draft.bonus.items.map((b, i) =>
        h('div', { class: 'crit-edit' }, h('span', { class: 'crit-edit__code' }, `+${i + 1}`), bound(b, 'title', `Mục điểm thưởng ${i + 1}`), bound(b, 'maximum', `Điểm tối đa mục ${i + 1}`, 'points'), button('Bỏ', () => (draft.bonus.items.splice(i, 1), drawBonus()), { class: 'btn btn--ghost' })),
      ),
      button('Thêm mục điểm thưởng', () => (draft.bonus.items.push({ id: '', title: '', maximum: 1 }), drawBonus()), { class: 'btn btn--ghost' }),
    );
  drawBonus();

  // Deductions: one pair of inputs per kind of milestone; both empty means no rule for that kind.
  const rules = (Object.keys(MILESTONE_KIND_LABELS) as Kind[]).map((kind) => {
    const rule = draft.deductions.rules.find((r) => r.kind === kind);
    const late = pointsInput('late', rule?.late, `${MILESTONE_KIND_LABELS[kind]}: nộp muộn`);
    const missing = pointsInput('missing', rule?.missing, `${MILESTONE_KIND_LABELS[kind]}: không nộp`);
    return { kind, late, missing, row: h('div', { class: 'crit-edit', 'data-testid': `edit-deduction-${kind}` }, h('span', null, MILESTONE_KIND_LABELS[kind]), late, missing) };
  });
  const deductionCap = pointsInput('cap', draft.deductions.cap, 'Trừ tối đa');

  const registrations = s.data.milestones.filter((m) => m.kind === 'registration' || m.milestoneId === draft.registrationMilestoneId);
  const registration = select('registrationMilestoneId', registrations.map((m) => ({ value: m.milestoneId, label: m.title })), draft.registrationMilestoneId);
  const bandChoices = [{ value: '', label: 'Không yêu cầu' }, ...draft.bands.map((b) => ({ value: b.id, label: b.label }))];
  const awards = draft.awards.map((a) => {
    const count = h('input', { type: 'number', min: '0', max: '100', step: '1', value: String(a.count), 'aria-label': `Số lượng ${a.label}` });
    const minBand = select('minBand', bandChoices, a.minBand ?? '', { 'aria-label': `Mức xếp loại tối thiểu của ${a.label}` });
    count.addEventListener('input', () => (a.count = Number(count.value)));
    minBand.addEventListener('change', () => (a.minBand = minBand.value || undefined));
    return h('div', { class: 'crit-edit' }, h('span', null, a.label), count, minBand);
  });
  const threshold = h('input', { type: 'number', min: '0', max: '100', step: '0.01', name: 'vote', value: String(Math.round(draft.vote.threshold * 10_000) / 100) });
  const comparison = select('comparison', [{ value: 'more-than', label: 'Trên' }, { value: 'at-least', label: 'Từ' }], draft.vote.comparison);

  // Tie-breaks: every kind, the scheme's first in its order; a checkbox says whether it is used, "Lên" moves it up.
  const order: TieBreak[] = [...draft.tieBreak, ...TIE_BREAKS.filter((t) => !draft.tieBreak.includes(t))];
  const used = new Set(draft.tieBreak);
  const ties = h('ol', { class: 'tie-order', 'data-testid': 'edit-tie-break' });
  const drawTies = (): void =>
    fill(
      ties,
      order.map((t, i) => {
        const box = h('input', { type: 'checkbox', checked: used.has(t) });
        box.addEventListener('change', () => (box.checked ? used.add(t) : used.delete(t)));
        return h('li', null, check(TIE_BREAK_LABELS[t], box), i > 0 && button('Lên', () => (order.splice(i - 1, 0, ...order.splice(i, 1)), drawTies()), { class: 'btn btn--ghost', 'aria-label': `Đưa “${TIE_BREAK_LABELS[t]}” lên trước` }));
      }),
    );
  drawTies();

  const sample = h('input', { type: 'checkbox', checked: draft.isSample });
  const reason = h('textarea', { name: 'changeReason', rows: '2', maxlength: '2000' });
  const form = h(
    'form',
    { class: 'form card', 'data-testid': 'scheme-form', novalidate: true },
    h('h3', null, opened ? `Lưu thành phiên bản ${scheme.version + 1}` : `Sửa thang điểm phiên bản ${scheme.version}`),
    opened && message('info', 'Các đơn vị đã được tự chấm điểm: thay đổi được lưu thành phiên bản mới và cần ghi lý do.'),
    field('Điểm chuẩn (tổng điểm tối đa các nhóm)', bound(draft, 'base', 'Điểm chuẩn', 'points'), { field: 'groups' }),
    groups,
    h('fieldset', { class: 'fieldset', 'data-field': 'bonus' }, h('legend', null, 'Điểm thưởng'), field('Tổng điểm thưởng tối đa', bound(draft.bonus, 'cap', 'Tổng điểm thưởng tối đa', 'points')), bonusItems),
    h('fieldset', { class: 'fieldset', 'data-field': 'deductions' }, h('legend', null, 'Điểm trừ tự động (nộp muộn / không nộp; để trống: không trừ)'), rules.map((r) => r.row), field('Trừ tối đa (để trống: không giới hạn)', deductionCap)),
    h('fieldset', { class: 'fieldset', 'data-field': 'bands' }, h('legend', null, 'Mức xếp loại (từ cao xuống thấp)'), draft.bands.map((b, i) => h('div', { class: 'crit-edit' }, bound(b, 'label', `Tên mức ${i + 1}`), bound(b, 'minimum', `Điểm tối thiểu mức ${i + 1}`, 'points')))),
    h('fieldset', { class: 'fieldset', 'data-field': 'awards' }, h('legend', null, 'Chỉ tiêu khen thưởng (số lượng, mức tối thiểu)'), awards),
    h('div', { class: 'row' }, field('Tỷ lệ phiếu suy tôn (%)', threshold), field('Cách so', comparison), field('Mốc xét đăng ký thi đua', registration)),
    h('fieldset', { class: 'fieldset', 'data-field': 'tieBreak' }, h('legend', null, 'Khi bằng điểm, xét lần lượt'), ties),
    check('Thang điểm mẫu (chưa đối chiếu Hướng dẫn 40/HD-CĐVC)', sample),
    opened && field('Lý do thay đổi', reason, { field: 'changeReason' }),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Lưu thang điểm'), button('Hủy', () => area.replaceChildren())),
    out,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (opened && reason.value.trim().length < 5) {
      fill(out, message('error', 'Cần ghi lý do thay đổi (ít nhất 5 ký tự).'));
      return;
    }
    const taken = new Set([...draft.groups.flatMap((g) => g.criteria.map((c) => c.id)), ...draft.bonus.items.map((b) => b.id)].filter(Boolean));
    const late = (r: (typeof rules)[number], which: 'late' | 'missing') => parsePoints(r[which].value);
    const cap = parsePoints(deductionCap.value);
    const body: SchemeBody = {
      ...draft,
      version: opened ? scheme.version + 1 : scheme.version,
      changeReason: opened ? reason.value.trim() : scheme.changeReason,
      groups: draft.groups.map((g) => ({
        ...g,
        maximum: sumPoints(g.criteria.map((c) => c.maximum)),
        criteria: g.criteria.map((c) => ({ ...c, id: c.id || newId(c.title, taken, 'tieu-chi') })),
      })),
      bonus: { ...draft.bonus, items: draft.bonus.items.map((b) => ({ ...b, id: b.id || newId(b.title, taken, 'diem-thuong') })) },
      deductions: {
        rules: rules.flatMap((r) => (late(r, 'late') === undefined && late(r, 'missing') === undefined ? [] : [{ kind: r.kind, late: late(r, 'late') ?? 0, missing: late(r, 'missing') ?? 0 }])),
        ...(cap !== undefined ? { cap } : {}),
      },
      tieBreak: order.filter((t) => used.has(t)),
      registrationMilestoneId: registration.value,
      vote: { threshold: Math.round(Number(threshold.value) * 100) / 10_000, comparison: comparison.value as ScoringScheme['vote']['comparison'] },
      isSample: sample.checked,
    };
    void act(form, out, async () => {
      const saved = await api<Res<'SaveScoringScheme'>>('PUT', s.path('scheme'), body);
      area.replaceChildren();
      await s.reload();
      fill(s.note, message('ok', h('p', null, saved.message), saved.changes.length > 0 && h('ul', null, saved.changes.map((c) => h('li', null, c)))));
      s.note.scrollIntoView({ block: 'nearest' });
    });
  });
  fill(area, form);
  form.scrollIntoView({ block: 'start' });
}
