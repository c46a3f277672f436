/**
 * Chấm điểm: one view in three parts (Thang điểm, Thẩm định, Xếp hạng và đề xuất) over one call (GET …/scoring).
 * The freeze (chốt) is shown above all three: while it holds, every write control is disabled and the banner says
 * why, with the unlock (reason required) next to it.
 */
import type { ViewContext } from '../app';
import { api } from '../api';
import { button, field, fill, h, type Child } from '../dom';
import { formatDateTime } from '../format';
import type { ScoringView } from '../types';
import { message } from '../ui';
import { heading, planPath, requirePlan } from './common';
import { act, type ScoringCtx } from './scoring-common';
import { resultsSection } from './scoring-results';
import { schemeSection } from './scoring-scheme';
import { verifySection } from './scoring-verify';

const SECTIONS = [
  { id: 'thang-diem', label: 'Thang điểm', draw: schemeSection },
  { id: 'tham-dinh', label: 'Thẩm định', draw: verifySection },
  { id: 'xep-hang', label: 'Xếp hạng và đề xuất', draw: resultsSection },
] as const;

/** The part last shown, kept while the page is open (coming back to the tab returns to it). */
let current = 0;

function lockBanner(s: ScoringCtx): Child {
  const lock = s.data.state.lock;
  if (lock.status === 'open') {
    return lock.unlockedAt
      ? h('p', { class: 'hint', 'data-testid': 'lock-state' }, `Đã mở khóa lúc ${formatDateTime(lock.unlockedAt)}${lock.unlockedBy ? ` bởi ${lock.unlockedBy}` : ''}. Lý do: ${lock.unlockReason ?? ''}`)
      : null;
  }
  let form: HTMLFormElement | null = null;
  if (s.ctx.canWrite) {
    const reason = h('input', { type: 'text', name: 'reason', required: true, minlength: '5', maxlength: '1000' });
    const out = h('div', { class: 'result' });
    const f = h('form', { class: 'form form--inline', 'data-testid': 'unlock-form' }, field('Lý do mở khóa', reason), h('button', { type: 'submit', class: 'btn btn--danger' }, 'Mở khóa'), out);
    f.addEventListener('submit', (event) => {
      event.preventDefault();
      void act(f, out, async () => {
        await api('POST', s.path('unlock'), { reason: reason.value });
        await s.reload();
        fill(s.note, message('ok', 'Đã mở khóa kết quả: có thể sửa điểm trở lại.'));
      });
    });
    form = f;
  }
  return message(
    'warn',
    h('p', { 'data-testid': 'lock-state' }, h('strong', null, `Đã chốt lúc ${formatDateTime(lock.frozenAt)} bởi ${lock.frozenBy}`), ` (thang điểm phiên bản ${lock.schemeVersion})${lock.note ? `. Ghi chú: ${lock.note}` : ''}.`),
    h('p', null, 'Thang điểm, thẩm định, đăng ký thi đua và phiếu bầu không sửa được cho đến khi mở khóa (ghi rõ lý do).'),
    form,
  );
}

export async function scoringView(ctx: ViewContext): Promise<void> {
  const plan = requirePlan(ctx);
  if (!plan) return;
  const nav = h('p', { class: 'subtabs', role: 'group', 'aria-label': 'Các phần chấm điểm' });
  const lockArea = h('div');
  const body = h('div', { 'data-testid': 'scoring-section' });
  ctx.root.append(heading('Chấm điểm', h('p', { class: 'view-sub' }, plan.title)), nav, lockArea, body);

  const s: ScoringCtx = {
    ctx,
    plan,
    data: undefined as unknown as ScoringView,
    frozen: false,
    path: (...rest) => planPath(ctx, plan, 'scoring', ...rest),
    reload: load,
    note: h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'scoring-result' }),
  };

  async function load(): Promise<void> {
    const data = await api<ScoringView>('GET', s.path());
    if (!ctx.alive()) return;
    s.data = data;
    s.frozen = data.state.lock.status === 'frozen';
    draw();
  }

  function draw(): void {
    fill(
      nav,
      SECTIONS.map((section, i) => {
        // Each switch reads the view again: units submit sheets and other admins save while the page is open.
        const tab = button(
          section.label,
          () => {
            current = i;
            s.note.replaceChildren();
            void act(tab, s.note, load);
          },
          { class: 'btn subtab', 'aria-pressed': String(i === current), 'data-testid': `section-${section.id}` },
        );
        return tab;
      }),
    );
    fill(lockArea, lockBanner(s));
    fill(body);
    SECTIONS[current]!.draw(s, body);
  }

  await load();
}
