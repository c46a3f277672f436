/**
 * Bảng theo dõi: units x milestones, each cell a badge with its status in words. Filters work on what is loaded;
 * the board reloads every 30 s while the tab is visible, and after every action.
 */
import type { ViewContext } from '../app';
import { api } from '../api';
import { busy, button, field, fill, h, select, type Child } from '../dom';
import { formatBytes, formatDate, formatDateTime, formatTime } from '../format';
import { CELL_LABELS, UNIT_ROLE_LABELS } from '../labels';
import type { Board, BoardCell, BoardCellStatus, Res } from '../types';
import { attempt, followDownload, message } from '../ui';
import { heading, planPath, requirePlan } from './common';

const POLL_MS = 30_000;
/** Statuses in the order counts are listed. */
const ORDER: BoardCellStatus[] = ['on-time', 'late', 'extended', 'not-due', 'open', 'missing', 'locked'];

/** "1 Đúng hạn · 3 Chưa đến hạn": the non-zero counts, as words. */
function counts(record: Record<string, number>): HTMLElement {
  const items = ORDER.filter((s) => (record[s] ?? 0) > 0).map((s) => h('span', { class: `count count--${s}` }, `${record[s]} ${CELL_LABELS[s]}`));
  return h('span', { class: 'counts' }, items.length > 0 ? items : '—');
}

export async function boardView(ctx: ViewContext): Promise<void> {
  const plan = requirePlan(ctx);
  if (!plan) return;
  let board: Board | undefined;
  let loadedAt = 0;
  const filters = { status: '', milestone: '', q: '' };

  const stamp = h('p', { class: 'stamp', 'data-testid': 'updated-at', 'aria-live': 'off' });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const tableArea = h('div', { class: 'board-wrap', 'data-testid': 'board-area' });
  const statusSelect = select('status', [{ value: '', label: 'Mọi trạng thái' }, ...ORDER.map((s) => ({ value: s, label: CELL_LABELS[s] }))], '', {
    'data-testid': 'filter-status',
  });
  const milestoneSelect = select('milestone', [{ value: '', label: 'Mọi mốc' }], '', { 'data-testid': 'filter-milestone' });
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off', 'data-testid': 'filter-unit' });
  statusSelect.addEventListener('change', () => ((filters.status = statusSelect.value), draw()));
  milestoneSelect.addEventListener('change', () => ((filters.milestone = milestoneSelect.value), draw()));
  search.addEventListener('input', () => ((filters.q = search.value.trim().toLocaleLowerCase('vi')), draw()));
  const refreshButton = button('Làm mới', () => void busy(refreshButton, load), { class: 'btn btn--ghost' });

  const dialog = h('dialog', { class: 'panel', 'aria-labelledby': 'panel-title', 'data-testid': 'cell-panel' });
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  let openCell: { unitId: string; milestoneId: string } | undefined;
  dialog.addEventListener('close', () => (openCell = undefined));
  /** The panel's messages: kept when the panel is redrawn after an action's reload. */
  const panelResult = h('div', { class: 'result', 'aria-live': 'polite' });

  ctx.root.append(
    heading('Bảng theo dõi', h('p', { class: 'view-sub' }, plan.title)),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (e: Event) => e.preventDefault() },
      field('Trạng thái', statusSelect),
      field('Mốc', milestoneSelect),
      field('Tìm đơn vị', search),
    ),
    h('div', { class: 'toolbar' }, stamp, refreshButton),
    result,
    tableArea,
    dialog,
  );

  async function load(): Promise<void> {
    await attempt(result, async () => {
      const fresh = await api<Board>('GET', planPath(ctx, plan!, 'board'));
      if (!ctx.alive()) return;
      board = fresh;
      loadedAt = Date.now();
      result.replaceChildren();
      stamp.textContent = `Cập nhật lúc ${formatTime(fresh.asOf)}`;
      const chosen = milestoneSelect.value;
      fill(milestoneSelect, h('option', { value: '' }, 'Mọi mốc'), fresh.milestones.map((m) => h('option', { value: m.milestoneId }, m.title)));
      milestoneSelect.value = fresh.milestones.some((m) => m.milestoneId === chosen) ? chosen : '';
      filters.milestone = milestoneSelect.value;
      draw();
      if (openCell) showPanel(openCell.unitId, openCell.milestoneId);
    });
  }

  const cellOf = (unitId: string, milestoneId: string): BoardCell | undefined =>
    board?.cells.find((c) => c.unitId === unitId && c.milestoneId === milestoneId);

  function draw(): void {
    if (!board) return;
    const columns = board.milestones.filter((m) => !filters.milestone || m.milestoneId === filters.milestone);
    const rows = board.units.filter(
      (u) =>
        (!filters.q || u.name.toLocaleLowerCase('vi').includes(filters.q)) &&
        (!filters.status || columns.some((m) => cellOf(u.unitId, m.milestoneId)?.status === filters.status)),
    );
    if (board.milestones.length === 0) {
      fill(tableArea, message('info', 'Kế hoạch chưa có mốc nào yêu cầu nộp tài liệu.'));
      return;
    }
    const head = h(
      'tr',
      null,
      h('th', { scope: 'col', class: 'board__unit' }, 'Đơn vị'),
      columns.map((m) => h('th', { scope: 'col' }, h('span', { class: 'board__title' }, m.title), h('span', { class: 'board__due' }, m.dueLabel))),
      h('th', { scope: 'col' }, 'Tổng theo đơn vị'),
    );
    const body = rows.map((u) =>
      h(
        'tr',
        { 'data-testid': `row-${u.unitId}` },
        h(
          'th',
          { scope: 'row', class: 'board__unit' },
          h('span', { class: 'board__name' }, u.name),
          h('span', { class: 'board__role' }, UNIT_ROLE_LABELS[u.role], u.isSample && h('span', { class: 'tag tag--sample' }, 'mẫu')),
        ),
        columns.map((m) => {
          const cell = cellOf(u.unitId, m.milestoneId);
          if (!cell || cell.status === 'not-required') return h('td', { class: 'board__na', title: 'Không yêu cầu' }, h('span', { 'aria-label': 'Không yêu cầu' }, '—'));
          const dim = filters.status && cell.status !== filters.status;
          return h(
            'td',
            { class: dim ? 'dim' : null },
            h(
              'button',
              {
                type: 'button',
                class: `badge badge--${cell.status}`,
                'data-testid': `cell-${u.unitId}-${m.milestoneId}`,
                'aria-label': `${u.name} – ${m.title}: ${cell.statusLabel}${cell.versions.length > 0 ? `, ${cell.versions.length} tệp` : ''}`,
                onclick: () => showPanel(u.unitId, m.milestoneId),
              },
              CELL_LABELS[cell.status],
            ),
          );
        }),
        h('td', { class: 'board__sum' }, counts(u.counts)),
      ),
    );
    const foot = h(
      'tr',
      null,
      h('th', { scope: 'row', class: 'board__unit' }, 'Tổng theo mốc'),
      columns.map((m) => h('td', { 'data-testid': `count-${m.milestoneId}` }, counts(m.counts))),
      h('td'),
    );
    fill(
      tableArea,
      rows.length === 0 ? message('info', 'Không có đơn vị nào khớp bộ lọc.') : null,
      h(
        'div',
        { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Bảng trạng thái (cuộn ngang trên điện thoại)' },
        h('table', { class: 'board', 'data-testid': 'board' }, h('thead', null, head), h('tbody', null, body), h('tfoot', null, foot)),
      ),
    );
  }

  function showPanel(unitId: string, milestoneId: string): void {
    const cell = cellOf(unitId, milestoneId);
    const unit = board?.units.find((u) => u.unitId === unitId);
    const milestone = board?.milestones.find((m) => m.milestoneId === milestoneId);
    if (!cell || !unit || !milestone) return;
    if (openCell?.unitId !== unitId || openCell.milestoneId !== milestoneId) panelResult.replaceChildren();
    openCell = { unitId, milestoneId };
    const versions = [...cell.versions].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    const actions: Child[] = [];
    if (ctx.canWrite) {
      const until = h('input', { type: 'date', name: 'until', required: true });
      const reason = h('input', { type: 'text', name: 'reason', maxlength: '500' });
      const extend = h(
        'form',
        { class: 'form form--inline', 'data-testid': 'extend-form' },
        field('Gia hạn đến hết ngày', until),
        field('Lý do (không bắt buộc)', reason),
        h('button', { type: 'submit', class: 'btn' }, 'Gia hạn'),
      );
      extend.addEventListener('submit', (event) => {
        event.preventDefault();
        void busy(extend, () =>
          attempt(
            panelResult,
            async () => {
              const answer = await api<Res<'GrantExtension'>>('POST', planPath(ctx, plan!, 'units', unitId, 'extensions'), {
                milestoneId,
                until: until.value,
                ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
              });
              await load();
              fill(panelResult, message('ok', `Đã gia hạn đến hết ngày ${formatDate(answer.extension.until)}.`));
            },
            extend,
          ),
        );
      });
      const remind = button(
        'Gửi nhắc ngay',
        () =>
          void busy(remind, () =>
            attempt(panelResult, async () => {
              const answer = await api<Res<'SendReminderNow'>>('POST', planPath(ctx, plan!, 'reminders', 'send-now'), { unitId, milestoneId });
              await load();
              fill(panelResult, message('ok', answer.sentTo.length > 0 ? `Đã gửi nhắc việc tới ${answer.sentTo.join(', ')}.` : 'Không có địa chỉ nào để gửi.'));
            }),
          ),
        { 'data-testid': 'send-now' },
      );
      actions.push(h('h4', null, 'Thao tác'), extend, h('p', { class: 'actions' }, remind));
    }
    fill(
      dialog,
      h(
        'div',
        { class: 'panel__head' },
        h('h3', { id: 'panel-title' }, milestone.title),
        h('button', { type: 'button', class: 'btn btn--ghost panel__close', onclick: () => dialog.close(), 'aria-label': 'Đóng' }, '✕'),
      ),
      h('p', { class: 'panel__unit' }, unit.name),
      h(
        'p',
        null,
        h('span', { class: `badge badge--${cell.status}`, 'data-testid': 'panel-status' }, cell.statusLabel),
        cell.extendedUntil && h('span', { class: 'panel__ext' }, ` Gia hạn đến hết ngày ${formatDate(cell.extendedUntil)}`),
      ),
      h('p', { class: 'hint' }, milestone.dueLabel),
      h('h4', null, 'Các lần nộp'),
      versions.length === 0
        ? h('p', { class: 'empty' }, 'Chưa có tệp nào.')
        : h(
            'ol',
            { class: 'versions' },
            versions.map((v, i) => {
              const download = button('Tải về', () => void busy(download, () => attempt(panelResult, () => fetchDownload(unitId, v.uploadId))), {
                'data-testid': 'download',
              });
              return h(
                'li',
                { class: 'version', 'data-testid': 'version' },
                h('p', { class: 'version__name' }, h('span', { class: 'version__n' }, `Lần ${i + 1}`), ' ', v.fileName),
                h(
                  'p',
                  { class: 'version__meta' },
                  `${formatBytes(v.sizeBytes)} · nhận lúc ${formatDateTime(v.receivedAt)}`,
                  v.late && h('span', { class: 'tag tag--late' }, 'Nộp muộn'),
                ),
                download,
              );
            }),
          ),
      ...actions,
      panelResult,
    );
    if (!dialog.open) dialog.showModal();
  }

  /** Asks for a 5-minute download link and follows it. */
  async function fetchDownload(unitId: string, uploadId: string): Promise<void> {
    const answer = await api<Res<'DownloadSubmission'>>('GET', planPath(ctx, plan!, 'units', unitId, 'submissions', uploadId, 'download'));
    followDownload(answer.url, answer.fileName);
  }

  // Poll while visible; catch up at once when the tab comes back after a while.
  const timer = window.setInterval(() => {
    if (document.visibilityState === 'visible') void load();
  }, POLL_MS);
  const onVisible = () => {
    if (document.visibilityState === 'visible' && Date.now() - loadedAt >= POLL_MS) void load();
  };
  document.addEventListener('visibilitychange', onVisible);
  ctx.cleanup(() => {
    window.clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
    if (dialog.open) dialog.close();
  });
  await load();
}
