/**
 * Nhập kế hoạch từ văn bản (reached from Kế hoạch): (a) paste a plan's text or choose its file, "Đọc kế hoạch" asks
 * the API for proposed milestones (nothing is saved); (b) review them in a table: edit title, kind, due, place, who
 * acts, the document asked for and its recipients; drop rows, add rows; each row shows the sentence it was read from
 * and how sure the reading is; (c) "Xác nhận và lưu kế hoạch" creates the plan, then the page opens it.
 */
import type { ViewContext } from '../app';
import { api, ApiError, clusterPath } from '../api';
import { append, busy, button, check, field, fill, h, select, type Child } from '../dom';
import { formatBytes } from '../format';
import { LOW_CONFIDENCE, UPLOAD_MAX_BYTES, dueLabel, type Proposal, type Proposed } from '../import-rules';
import { MILESTONE_KIND_LABELS, RECIPIENT_LABELS } from '../labels';
import type { Res } from '../types';
import { message, showError } from '../ui';
import { heading } from './common';
import { slugify } from './plan';

type Due = Proposed['due'];
type Who = Proposed['responsible'][number]['who'];
type Recipient = keyof typeof RECIPIENT_LABELS;

const COLUMNS = ['Bỏ', 'Mốc', 'Hạn', 'Địa điểm', 'Trách nhiệm', 'Tài liệu phải nộp, gửi tới', 'Độ tin cậy'];

/** The roles offered as checkboxes; "proposed-for-award" stays as read. */
const WHO: ReadonlyArray<[Who, string]> = [
  ['cum-truong', 'Cụm trưởng'],
  ['cum-pho', 'Cụm phó'],
  ['all', 'Các đơn vị thành viên'],
];

const base64Of = (file: File): Promise<string> =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

/** "2021-2022", "2021 – 2022" -> the school year, else undefined (the API then says what is missing). */
function schoolYearOf(planId: string): Proposal['schoolYear'] {
  const m = /^(\d{4})\s*[-–]\s*(\d{4})$/.exec(planId.trim());
  return m ? { startYear: Number(m[1]), endYear: Number(m[2]) } : undefined;
}

/** Ids for the rows to save: the proposed one, else from the title; never twice. */
function uniqueIds(rows: readonly Proposed[]): Proposed[] {
  const used = new Set<string>();
  return rows.map((p, order) => {
    const base = p.milestoneId || slugify(p.title) || 'moc';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
    used.add(id);
    return { ...p, milestoneId: id, order };
  });
}

interface Row {
  tr: HTMLTableRowElement;
  dropped(): boolean;
  read(): Proposed;
}

/** A row the admin adds (the API's defaults fill what is left out). */
const BLANK = { milestoneId: '', order: 0, kind: 'report', title: '', due: { type: 'none' }, responsible: [], documents: [], source: '', line: 0, confidence: 1 } as unknown as Proposed;

/** One reviewed milestone: its inputs, and the proposal they edit. */
function reviewRow(p: Proposed, added = false): Row {
  const text = (name: string, value = '', label = '') => h('input', { type: 'text', name, value, 'aria-label': label });
  const title = text('title', p.title, 'Tiêu đề');
  const kind = select('kind', Object.entries(MILESTONE_KIND_LABELS).map(([value, label]) => ({ value, label })), p.kind, { 'aria-label': 'Loại' });
  // A day, else a month, else no due yet; a day keeps the plan's rule ("trước ngày" or "đến hết ngày").
  const due = p.due;
  const date = h('input', { type: 'date', name: 'due.date', value: due.type === 'date' ? due.date : '', 'aria-label': 'Ngày' });
  const month = h('input', { type: 'month', name: 'due.month', value: due.type === 'month' ? due.month : '', placeholder: 'YYYY-MM', 'aria-label': 'Tháng (khi chưa có ngày)' });
  const shown = h('strong', { class: 'due-label', 'data-testid': 'due-label' });
  const readDue = (): Due =>
    date.value ? { type: 'date', date: date.value, rule: due.type === 'date' ? due.rule : 'before' } : month.value ? { type: 'month', month: month.value } : { type: 'none' };
  const showDue = () => (shown.textContent = dueLabel(readDue()));
  [date, month].forEach((el) => el.addEventListener('input', showDue));
  showDue();

  const place = text('place', p.place ?? '', 'Địa điểm');
  const boxes = WHO.map(([who, label]) => {
    const tasks = p.responsible.filter((r) => r.who === who).map((r) => r.task);
    const box = h('input', { type: 'checkbox', name: `who.${who}`, checked: tasks.length > 0 });
    return { who, tasks, box, el: h('span', { title: tasks.join('\n') || null }, check(label, box)) };
  });
  const kept = p.responsible.filter((r) => !WHO.some(([who]) => who === r.who));
  const doc = p.documents[0];
  const docTitle = text('document.title', doc?.title ?? '', 'Tài liệu phải nộp');
  const to = (Object.keys(RECIPIENT_LABELS) as Recipient[]).map((r) => ({ r, box: h('input', { type: 'checkbox', name: 'document.to', value: r, checked: doc ? doc.to.includes(r) : r === 'cum-truong' }) }));
  const drop = h('input', { type: 'checkbox', name: 'drop' });
  const low = !added && p.confidence < LOW_CONFIDENCE;
  const badge = added
    ? h('span', { class: 'badge' }, 'Thêm tay')
    : h('span', { class: `badge ${low ? 'badge--late' : 'badge--on-time'}`, title: p.reasons.join('; ') || null, 'data-testid': 'confidence' }, `Độ tin cậy ${Math.round(p.confidence * 100)}%`);

  // The hidden label names the cell in an error summary ("Mốc 4 · Hạn: …"), see confirmReview.
  const cell = (key: string, ...children: Child[]) => h('td', { 'data-key': key }, h('label', { class: 'sr', 'aria-hidden': 'true' }), ...children);
  const tr = h(
    'tr',
    { class: low ? 'import-row import-row--low' : 'import-row', 'data-testid': `import-row-${p.milestoneId || 'new'}` },
    h('td', null, check('Bỏ', drop)),
    cell('title', title, kind, p.source && h('p', { class: 'import-source hint' }, `Câu gốc: ${p.source}`)),
    cell('due', shown, date, month, p.dueText && h('p', { class: 'hint' }, `Kế hoạch ghi: ${p.dueText}`)),
    cell('place', place),
    cell('responsible', boxes.map((b) => b.el), kept.map((r) => h('p', { class: 'hint', title: r.task }, 'Đơn vị được đề nghị khen thưởng'))),
    cell('documents', docTitle, to.map(({ r, box }) => check(RECIPIENT_LABELS[r], box))),
    h('td', null, badge, low && h('ul', { class: 'import-reasons hint' }, p.reasons.map((r) => h('li', null, r)))),
  );
  drop.addEventListener('change', () => tr.classList.toggle('import-row--dropped', drop.checked));

  return {
    tr,
    dropped: () => drop.checked,
    read: () => {
      const newDue = readDue();
      const name = title.value.trim();
      const docName = docTitle.value.trim();
      return {
        ...p,
        title: name,
        kind: kind.value as Proposed['kind'],
        due: newDue,
        // The plan's wording of the due date goes with it; a changed due has none.
        dueText: JSON.stringify(newDue) === JSON.stringify(p.due) ? p.dueText : undefined,
        place: place.value.trim() || undefined,
        responsible: [...boxes.flatMap((b) => (b.box.checked ? (b.tasks.length > 0 ? b.tasks : [name]).map((task) => ({ who: b.who, task })) : [])), ...kept],
        documents: docName ? [{ title: docName, from: doc?.from ?? 'all', to: to.filter((t) => t.box.checked).map((t) => t.r) }] : [],
      };
    },
  };
}

export async function planImportView(ctx: ViewContext): Promise<void> {
  const status = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'import-status' });
  const review = h('div');
  const textArea = h('textarea', { name: 'text', rows: '8' });
  const file = h('input', { type: 'file', name: 'file', accept: '.docx,.md,.txt' });
  const form = h(
    'form',
    { class: 'form card', novalidate: true },
    field('Dán nội dung kế hoạch', textArea, { field: 'text' }),
    field('Hoặc chọn tệp (khi đó nội dung dán vào được bỏ qua)', file, { field: 'file', hint: `.docx, .md hoặc .txt, tối đa ${formatBytes(UPLOAD_MAX_BYTES)}` }),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Đọc kế hoạch')),
  );
  append(
    ctx.root,
    heading('Nhập kế hoạch từ văn bản', h('p', { class: 'view-sub' }, ctx.cluster.name)),
    h('p', { class: 'hint' }, 'Hệ thống đề xuất các mốc; bạn rà soát, sửa rồi xác nhận. Chưa xác nhận thì chưa lưu gì.'),
    form,
    status,
    review,
  );
  const guard = (event: BeforeUnloadEvent) => event.preventDefault();
  ctx.cleanup(() => window.removeEventListener('beforeunload', guard));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    void busy(form, async () => {
      try {
        if (chosen && chosen.size > UPLOAD_MAX_BYTES) {
          throw new ApiError(400, 'TOO_LARGE', `Tệp quá lớn (${formatBytes(chosen.size)}), tối đa ${formatBytes(UPLOAD_MAX_BYTES)}: hãy chép nội dung tệp và dán vào ô văn bản.`);
        }
        const body = chosen ? { fileName: chosen.name, contentBase64: await base64Of(chosen) } : { text: textArea.value };
        const answer = await api<Res<'PreviewPlanImport'>>('POST', clusterPath(ctx.cluster.clusterId, 'plans', 'import', 'preview'), body);
        if (!ctx.alive()) return;
        fill(status);
        drawReview(answer.proposal);
      } catch (error) {
        showError(status, error, form);
      }
    });
  });

  function drawReview(proposal: Proposal): void {
    window.addEventListener('beforeunload', guard);
    const rows = proposal.milestones.map((p) => reviewRow(p));
    const body = h('tbody', null, rows.map((r) => r.tr));
    const planId = h('input', { type: 'text', name: 'schoolYear', value: proposal.schoolYear ? `${proposal.schoolYear.startYear}-${proposal.schoolYear.endYear}` : '', placeholder: '2021-2022' });
    const out = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'import-result' });
    const add = button('Thêm mốc', () => {
      const row = reviewRow({ ...BLANK }, true);
      rows.push(row);
      body.append(row.tr);
      row.tr.querySelector<HTMLInputElement>('input[type="text"]')?.focus();
    });
    const save = button('Xác nhận và lưu kế hoạch', () => void busy(save, confirmReview), { class: 'btn btn--primary' });
    const area = h(
      'div',
      { class: 'form' },
      message('warn', 'Chưa lưu gì cho đến khi bấm “Xác nhận và lưu kế hoạch”. Rời trang hoặc chuyển mục sẽ mất phần rà soát.'),
      proposal.warnings.length > 0 && message('warn', h('ul', null, proposal.warnings.map((w) => h('li', null, w)))),
      h('h3', null, `${proposal.milestones.length} mốc đề xuất`, proposal.title && h('span', { class: 'hint' }, ` · ${proposal.title}`)),
      field('Năm học của kế hoạch', planId, { field: 'schoolYear' }),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'list import-table' },
          h('thead', null, h('tr', null, COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
          body,
        ),
      ),
      h('p', { class: 'actions' }, add, save),
      out,
    );
    fill(review, area);
    review.scrollIntoView({ block: 'start' });

    async function confirmReview(): Promise<void> {
      const kept = rows.filter((r) => !r.dropped());
      // Field paths of the API's errors ("milestones.3.title") name the kept rows in order.
      rows.forEach((r) => {
        const i = kept.indexOf(r);
        r.tr.querySelectorAll<HTMLElement>('[data-key]').forEach((td) => {
          if (i < 0) delete td.dataset.field;
          else td.dataset.field = `milestones.${i}.${td.dataset.key}`;
          td.firstElementChild!.textContent = `Mốc ${rows.indexOf(r) + 1} · ${COLUMNS[(td as HTMLTableCellElement).cellIndex]}`;
        });
      });
      try {
        const answer = await api<Res<'ConfirmPlanImport'>>('POST', clusterPath(ctx.cluster.clusterId, 'plans', 'import'), {
          ...proposal,
          schoolYear: schoolYearOf(planId.value),
          milestones: uniqueIds(kept.map((r) => r.read())),
        });
        window.removeEventListener('beforeunload', guard);
        fill(out, message('ok', `Đã tạo kế hoạch năm học ${answer.plan.planId}: ${answer.milestones.length} mốc. Lịch nhắc: tạo ${answer.schedules.created}.`));
        history.pushState(null, '', '#/ke-hoach');
        await ctx.reloadPlans(answer.plan.planId);
      } catch (error) {
        showError(out, error, area);
      }
    }
  }
}
