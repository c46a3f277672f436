/**
 * Thẩm định: the units with their sheet and verification status; for the chosen unit, per criterion its maximum,
 * the unit's points, justification and evidence, and the verified points and comment (empty: not verified yet, the
 * unit's own points count); rows where the two differ are highlighted with the difference. Then the bonus items and
 * the automatic deductions with their source, each open to an override with a written reason. Saving sends the
 * whole verification with the version read (a concurrent save is a 409, not an overwrite) and shows the new totals.
 */
import { api } from '../api';
import { append, button, check, fill, h, type Child } from '../dom';
import { formatDateTime, formatDeduction, formatDelta, formatPoints as pts, parsePoints } from '../format';
import type { Req, Res, ResultRow, ScoringUnit } from '../types';
import { followDownload, message } from '../ui';
import { planPath } from './common';
import { act, pointsInput, row as tr, table, writeArea, type ScoringCtx } from './scoring-common';

/**
 * Per-item bonus claims and verified bonus, when the view model carries them (GET …/scoring lists only the totals
 * of the bonus today): optional, so the form still works without them.
 */
interface BonusEntries {
  bonus?: { itemId: string; points: number; justification?: string; evidenceUploadId?: string; comment?: string }[];
}

/** The unit being verified, kept across reloads while the page is open. */
let selected: string | undefined;

function sheetStatus(unit: ScoringUnit): string {
  const sheet = unit.sheet;
  if (!sheet) return 'Chưa nộp';
  if (sheet.status === 'draft') return 'Bản nháp';
  return `Đã nộp lúc ${sheet.submittedAt ? formatDateTime(sheet.submittedAt) : '?'}${sheet.late ? ' (muộn)' : ''}`;
}

function verificationStatus(unit: ScoringUnit, row: ResultRow | undefined): string {
  if (!unit.verification) return 'Chưa thẩm định';
  const at = unit.verification.updatedAt ? ` (${formatDateTime(unit.verification.updatedAt)})` : '';
  return `${row?.fullyVerified ? 'Đã thẩm định' : `Còn ${row?.selfFallbacks.length ?? '?'} tiêu chí chưa thẩm định`}${at}`;
}

/** The difference badge of a row: "−2" when verified differs from self, nothing otherwise. */
function markDifference(tr: HTMLElement, badge: HTMLElement, self: number | undefined, verified: number | undefined): void {
  const differs = self !== undefined && verified !== undefined && !Number.isNaN(verified) && Math.round(verified * 100) !== Math.round(self * 100);
  tr.classList.toggle('diff', differs);
  badge.textContent = differs ? formatDelta(verified! - self!) : '';
}

export function verifySection(s: ScoringCtx, root: HTMLElement): void {
  const { data } = s;
  if (!data.scheme || !data.results) {
    root.append(message('info', 'Chưa có thang điểm: hãy tạo thang điểm (phần “Thang điểm”) trước khi thẩm định.'));
    return;
  }
  const rows = new Map(data.results.rows.map((r) => [r.unitId, r]));
  const panel = h('div', { class: 'verify', 'data-testid': 'verify-panel' });
  const unit = data.units.find((u) => u.unitId === selected);
  const row = unit && rows.get(unit.unitId);
  append(
    root,
    !row && s.note,
    table(
      'Các đơn vị',
      ['Đơn vị', 'Bảng tự chấm', 'Thẩm định', 'Tự chấm', 'Sau thẩm định', ''],
      data.units.map((u) => {
        const r = rows.get(u.unitId);
        const open = () => {
          selected = u.unitId;
          s.note.replaceChildren();
          fill(root);
          verifySection(s, root);
          root.querySelector('.verify')?.scrollIntoView({ block: 'start' });
        };
        return tr(
          [
            h('strong', null, u.name),
            h('span', { class: u.sheet?.late ? 'late' : null }, sheetStatus(u)),
            verificationStatus(u, r),
            r ? pts(r.selfTotal) : '—',
            r ? pts(r.total) : '—',
            button(s.ctx.canWrite ? 'Thẩm định' : 'Xem', open, { 'data-testid': `open-verify-${u.unitId}` }),
          ],
          { 'data-testid': `verify-unit-${u.unitId}`, class: u.unitId === selected ? 'picked' : null },
        );
      }),
      { 'data-testid': 'verify-units' },
    ),
    panel,
  );
  if (unit && row) unitPanel(s, unit, row, panel);
}

const bonusEntries = (x: unknown): NonNullable<BonusEntries['bonus']> => (x as BonusEntries | null)?.bonus ?? [];

function unitPanel(s: ScoringCtx, unit: ScoringUnit, row: ResultRow, panel: HTMLElement): void {
  const scheme = s.data.scheme!;
  const out = h('div', { class: 'result', 'aria-live': 'polite' });
  const criteria: { id: string; code: string; points: HTMLInputElement; comment: HTMLInputElement }[] = [];
  // Writers get inputs (disabled while frozen; the evidence stays downloadable); readers the values as text.
  const off = s.frozen;
  const shown = (input: HTMLInputElement): Child => (s.ctx.canWrite ? input : input.value || '—');
  const download = (uploadId: string): HTMLButtonElement => {
    const fetchLink = async () => {
      const link = await api<Res<'DownloadSubmission'>>('GET', planPath(s.ctx, s.plan, 'units', unit.unitId, 'submissions', uploadId, 'download'));
      followDownload(link.url, link.fileName);
    };
    const b = button('Tải minh chứng', () => void act(b, out, fetchLink), { class: 'btn btn--ghost' });
    return b;
  };

  const groups = row.groups.map((g) =>
    h(
      'section',
      null,
      h('h4', null, `${g.code}. ${g.title} (tối đa ${pts(g.maximum)}; tự chấm ${pts(g.self)}, tính ${pts(g.verified)})`),
      table(
        `Nhóm ${g.code}`,
        ['Mã', 'Tiêu chí', 'Tối đa', 'Tự chấm', 'Giải trình, minh chứng', 'Thẩm định', 'Nhận xét'],
        g.criteria.map((c) => {
          const points = pointsInput('points', c.verified, `Điểm thẩm định ${c.code}`, { disabled: off, 'data-testid': `verified-${c.criterionId}` });
          const comment = h('input', { type: 'text', name: 'comment', value: c.comment ?? '', maxlength: '1000', disabled: off, 'aria-label': `Nhận xét ${c.code}` });
          const badge = h('span', { class: 'delta', 'data-testid': `delta-${c.criterionId}` });
          criteria.push({ id: c.criterionId, code: c.code, points, comment });
          const line = tr(
            [
              c.code,
              c.title,
              pts(c.maximum),
              c.self === undefined ? '—' : pts(c.self),
              h('span', null, c.justification ?? '', c.evidenceUploadId && download(c.evidenceUploadId)),
              h('span', { class: 'verify__input' }, shown(points), badge),
              shown(comment),
            ],
            { 'data-testid': `crit-${c.criterionId}` },
          );
          markDifference(line, badge, c.self, c.verified);
          points.addEventListener('input', () => markDifference(line, badge, c.self, parsePoints(points.value)));
          return line;
        }),
        { class: 'list crit-table' },
      ),
    ),
  );

  const selfBonus = new Map(bonusEntries(unit.sheet).map((b) => [b.itemId, b]));
  const checkedBonus = new Map(bonusEntries(unit.verification).map((b) => [b.itemId, b]));
  const bonus = scheme.bonus.items.map((item) => ({
    id: item.id,
    title: item.title,
    points: pointsInput('points', checkedBonus.get(item.id)?.points, `Điểm thưởng thẩm định: ${item.title}`, { disabled: off }),
    comment: h('input', { type: 'text', name: 'comment', value: checkedBonus.get(item.id)?.comment ?? '', maxlength: '1000', disabled: off, 'aria-label': `Nhận xét: ${item.title}` }),
  }));

  const overrides = row.deductions.lines.map((line) => {
    const on = h('input', { type: 'checkbox', checked: !!line.override, disabled: off });
    const points = pointsInput('points', line.override?.points, `Điểm trừ sau điều chỉnh: ${line.milestoneTitle}`, { disabled: off });
    const reason = h('input', { type: 'text', name: 'reason', value: line.override?.reason ?? '', maxlength: '1000', disabled: off, 'aria-label': `Lý do điều chỉnh: ${line.milestoneTitle}` });
    const fields = h('span', { class: 'override' }, points, reason);
    const sync = () => (fields.hidden = !on.checked);
    on.addEventListener('change', sync);
    sync();
    const source = h(
      'p',
      null,
      h('strong', null, formatDeduction(line.applied)),
      ` ${line.description}`,
      line.override && h('span', { class: 'hint' }, ` (điều chỉnh từ −${pts(line.points)}: ${line.override.reason})`),
    );
    const el = h('li', { class: 'deduction', 'data-testid': `deduction-${line.milestoneId}` }, source, s.ctx.canWrite && h('div', null, check('Điều chỉnh điểm trừ này', on), fields));
    return { line, on, points, reason, el };
  });

  const save = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'save-verification' }, 'Lưu thẩm định');
  const body: Child[] = [
    groups,
    h('h4', null, `Điểm thưởng (tối đa ${pts(scheme.bonus.cap)}; tự chấm ${pts(row.bonus.self)}, tính ${pts(row.bonus.final)})`),
    table(
      'Điểm thưởng',
      ['Mục', 'Tối đa', 'Tự chấm', 'Thẩm định', 'Nhận xét'],
      bonus.map((b, i) => {
        const own = selfBonus.get(b.id);
        return tr([b.title, pts(scheme.bonus.items[i]!.maximum), h('span', null, own ? pts(own.points) : '—', own?.justification && h('span', { class: 'facts__note' }, own.justification)), shown(b.points), shown(b.comment)]);
      }),
    ),
    h('h4', null, `Điểm trừ tự động (trừ ${pts(row.deductions.total)}${row.deductions.capped ? ', đã áp mức trần' : ''})`),
    overrides.length ? h('ul', { class: 'deductions' }, overrides.map((o) => o.el)) : h('p', { class: 'empty' }, 'Không có điểm trừ tự động.'),
  ];
  const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'verify-form' }, body, writeArea(s, {}, h('p', { class: 'actions' }, save)), out);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const problems: string[] = [];
    const lines = <T extends { points: HTMLInputElement; comment: HTMLInputElement }>(items: T[], name: (t: T) => string) =>
      items.flatMap((t) => {
        const points = parsePoints(t.points.value);
        const comment = t.comment.value.trim();
        t.points.toggleAttribute('aria-invalid', points !== undefined && Number.isNaN(points));
        if (points === undefined) {
          if (comment) problems.push(`${name(t)}: có nhận xét nhưng chưa nhập điểm thẩm định.`);
          return [];
        }
        if (Number.isNaN(points)) problems.push(`${name(t)}: điểm “${t.points.value}” không hợp lệ.`);
        return [{ t, points, ...(comment ? { comment } : {}) }];
      });
    const body: Req<'SaveVerification'> = {
      criteria: lines(criteria, (c) => `Tiêu chí ${c.code}`).map(({ t, ...rest }) => ({ criterionId: t.id, ...rest })),
      bonus: lines(bonus, (b) => `Điểm thưởng “${b.title}”`).map(({ t, ...rest }) => ({ itemId: t.id, ...rest })),
      deductionOverrides: overrides
        .filter((o) => o.on.checked)
        .map((o) => {
          const points = parsePoints(o.points.value);
          if (points === undefined || Number.isNaN(points)) problems.push(`Điểm trừ “${o.line.milestoneTitle}”: nhập số điểm trừ sau điều chỉnh (0 là không trừ).`);
          if (o.reason.value.trim().length < 5) problems.push(`Điểm trừ “${o.line.milestoneTitle}”: cần ghi rõ lý do điều chỉnh (ít nhất 5 ký tự).`);
          return { milestoneId: o.line.milestoneId, points: points ?? 0, reason: o.reason.value.trim() };
        }),
      expectedVersion: unit.verification?.version ?? 0,
    };
    if (problems.length) {
      fill(out, message('error', h('ul', null, problems.map((p) => h('li', null, p)))));
      return;
    }
    void act(form, out, async () => {
      await api<Res<'SaveVerification'>>('PUT', s.path('units', unit.unitId, 'verification'), body);
      await s.reload();
      const fresh = s.data.results?.rows.find((r) => r.unitId === unit.unitId);
      fill(
        s.note,
        message('ok', `Đã lưu thẩm định của ${unit.name}.`, fresh && ` Tổng điểm sau thẩm định: ${pts(fresh.total)} (tự chấm ${pts(fresh.selfTotal)}), ${fresh.band.label}, xếp hạng ${fresh.rank}.`),
      );
      s.note.scrollIntoView({ block: 'nearest' });
    });
  });

  fill(
    panel,
    h('h3', null, unit.name),
    s.note,
    h(
      'p',
      { class: 'verify__sum', 'data-testid': 'verify-totals' },
      `Bảng tự chấm: ${sheetStatus(unit)}. Tự chấm ${pts(row.selfTotal)} điểm; sau thẩm định ${pts(row.total)} điểm (${row.band.label}, xếp hạng ${row.rank}).`,
    ),
    unit.sheet?.status !== 'submitted' && message('warn', 'Đơn vị chưa nộp bảng tự chấm: điểm tự chấm chưa được tính.'),
    !row.fullyVerified && h('p', { class: 'hint' }, `Để trống ô “Thẩm định” là chưa thẩm định: tiêu chí đó tạm tính theo điểm tự chấm (${row.selfFallbacks.join(', ')}).`),
    form,
  );
}
