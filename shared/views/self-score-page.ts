/**
 * The member unit's self-score form (bảng tự chấm điểm, GET /u/{token}/self-score) and its printable copy for
 * signature (GET /u/{token}/self-score/print). Pure functions: view model in, complete HTML document out.
 *
 * Same rules as the member page (./member-page.ts): a strict CSP, so exactly one `<style nonce>` and at most one
 * `<script nonce>`, no `style=` or `on*=` attributes. The token is written only into the form's script CONFIG:
 * - the link back to the member page (`/u/<token>`) needs the token, so the script sets its address;
 * - the link to the printable copy is relative (`self-score/print`, resolved against `/u/<token>/self-score`), and
 *   the copy's link back is `../self-score`: same origin, no token in the markup, works without the script, and the
 *   pages send no referrer.
 */
import { formatPointsVi, sumPoints } from '../domain/scoring-points';
import type { SelfScoreFormView } from '../use-cases/self-score';
import { documentOf, footer, STYLES as MEMBER_PAGE_STYLES } from './member-page';
import { configuredScript, html, raw, type SafeHtml } from './html';

/** Options of {@link renderSelfScorePage}. */
export interface SelfScorePageOptions {
  /** The unit's link token, used only by the script. */
  token: string;
  /** The CSP nonce of this response. */
  nonce: string;
  /** Prefix of the API paths when the app is not served at the origin's root (e.g. "/prod"). @default '' */
  basePath?: string;
}

/** What the form's script is given; the only place the token is written into the page. */
interface ClientConfig {
  token: string;
  basePath: string;
  /** The stored sheet's version the next save must name (0: none yet). */
  expectedVersion: number;
  /** Bonus points count for at most this many in the total. */
  bonusCap: number;
}

type SchemeView = NonNullable<SelfScoreFormView['scheme']>;
type GroupView = SchemeView['groups'][number];
type BonusItemView = SchemeView['bonus']['items'][number];
type SheetView = NonNullable<SelfScoreFormView['sheet']>;
type LineValue = SheetView['criteria'][string];

/** One line of the form: a criterion or a bonus item, with what the unit entered for it. */
interface Line {
  kind: 'criterion' | 'bonus';
  id: string;
  /** "2.3" for a criterion, empty for a bonus item. */
  code: string;
  title: string;
  maximum: number;
  guidance?: string;
  /** How messages name the line: "Tiêu chí 2.3", "Điểm thưởng «…»". */
  name: string;
  groupId?: string;
  value?: LineValue;
}

const SELF_SCORE_PATH = 'self-score';

const criterionLines = (group: GroupView, sheet: SheetView | undefined): Line[] =>
  group.criteria.map((c) => ({
    kind: 'criterion',
    id: c.criterionId,
    code: c.code,
    title: c.title,
    maximum: c.maximum,
    ...(c.guidance ? { guidance: c.guidance } : {}),
    name: `Tiêu chí ${c.code}`,
    groupId: group.groupId,
    ...(sheet?.criteria[c.criterionId] ? { value: sheet.criteria[c.criterionId] } : {}),
  }));

const bonusLines = (items: readonly BonusItemView[], sheet: SheetView | undefined): Line[] =>
  items.map((b) => ({
    kind: 'bonus',
    id: b.itemId,
    code: '',
    title: b.title,
    maximum: b.maximum,
    ...(b.guidance ? { guidance: b.guidance } : {}),
    name: `Điểm thưởng «${b.title}»`,
    ...(sheet?.bonus[b.itemId] ? { value: sheet.bonus[b.itemId] } : {}),
  }));

/** The points the unit claims in a group (what it entered so far). */
const claimedIn = (lines: readonly Line[]): number => sumPoints(lines.flatMap((l) => (l.value ? [l.value.points] : [])));

/**
 * Renders the self-score form: editable while self-scoring is open for the unit, read-only otherwise.
 *
 * @param view what to show, already in Vietnamese words (shared/use-cases/self-score.ts).
 * @param opts the token (for the script only), the CSP nonce and the API base path.
 * @returns a complete HTML document.
 */
export function renderSelfScorePage(view: SelfScoreFormView, opts: SelfScorePageOptions): string {
  const config: ClientConfig = {
    token: opts.token,
    basePath: (opts.basePath ?? '').replace(/\/+$/, ''),
    expectedVersion: view.sheet?.version ?? 0,
    bonusCap: view.scheme?.bonus.cap ?? 0,
  };
  const m = view.milestone;
  const body = html`
<header class="top">
  <div class="wrap">
    <p class="top__org">${view.clusterName} · ${view.provinceName}</p>
    <h1 class="top__unit">${view.unitName}</h1>
    <p class="top__role">${view.unitRoleLabel}</p>
    <p class="top__plan">${view.planTitle}</p>
  </div>
</header>
<main class="wrap">
  <h2 class="page-title">Bảng tự chấm điểm thi đua năm học ${view.schoolYearLabel}</h2>
  <p class="state state--${view.state}" data-testid="state">${view.stateMessage}</p>
  ${m &&
  html`<dl class="facts facts--boxed">
    <div><dt>Mốc</dt><dd>${m.title}</dd></div>
    <div><dt>Hạn nộp</dt><dd data-testid="due">${m.dueLabel}${m.extensionLabel && html`<span class="facts__note facts__ext">${m.extensionLabel}</span>`}</dd></div>
  </dl>`}
  ${m?.wouldBeLate && view.editable && html`<p class="alert alert--late" data-testid="late-warning">Hạn nộp đã qua: bảng tự chấm điểm nộp bây giờ sẽ được ghi nhận là nộp muộn.</p>`}
  ${view.scheme?.sampleNote && html`<p class="alert alert--warn" data-testid="sample-note">Thang điểm mẫu: ${view.scheme.sampleNote}.</p>`}
  ${view.sheet && sheetStatus(view.sheet)}
  <nav class="links" aria-label="Trang liên quan">
    <a class="links__item" data-link="member" data-testid="member-link" hidden>Nộp tài liệu / tệp minh chứng</a>
    ${view.sheet && html`<a class="links__item" href="${SELF_SCORE_PATH}/print" data-testid="print-link">In bản để ký</a>`}
  </nav>
  ${view.scheme && html`<p class="hint" data-testid="evidence-hint">Tệp minh chứng gửi ở trang nộp tài liệu của đơn vị${m ? html`, tại mốc «${m.title}»` : ''}, như mọi tài liệu khác. Tệp đã gửi và được chấp nhận hiện trong ô «Minh chứng» của từng tiêu chí (tải lại trang này sau khi gửi).</p>`}
  ${view.scheme && (view.editable ? editableSheet(view, view.scheme) : readOnlySheet(view, view.scheme))}
</main>
${footer(view)}
${configuredScript(opts.nonce, config, CLIENT_SCRIPT)}`;
  return documentOf({ title: `${view.unitName} · Bảng tự chấm điểm thi đua`, nonce: opts.nonce, body, styles: MEMBER_PAGE_STYLES + FORM_STYLES });
}

function sheetStatus(sheet: SheetView): SafeHtml {
  return sheet.status === 'submitted'
    ? html`<p class="sheet-status sheet-status--submitted" data-testid="sheet-status">Đã nộp lúc ${sheet.submittedAtLabel}${sheet.late && html` <span class="tag tag--late">nộp muộn</span>`} · Tổng điểm tự chấm: <strong>${sheet.selfTotalLabel}</strong></p>`
    : html`<p class="sheet-status" data-testid="sheet-status">Bản nháp${sheet.updatedAtLabel && html` lưu lúc ${sheet.updatedAtLabel}`}, chưa nộp · Tổng điểm tự chấm: <strong>${sheet.selfTotalLabel}</strong></p>`;
}

// ---- The editable form ----------------------------------------------------------------------------------------------

function editableSheet(view: SelfScoreFormView, scheme: SchemeView): SafeHtml {
  const bonus = bonusLines(scheme.bonus.items, view.sheet);
  return html`<noscript><p class="alert alert--warn">Trình duyệt đang tắt JavaScript: cần bật JavaScript để lưu và nộp bảng tự chấm điểm.</p></noscript>
  <form class="sheet" data-self-score novalidate data-testid="self-score-form" aria-label="Bảng tự chấm điểm">
    ${scheme.groups.map((g) => {
      const lines = criterionLines(g, view.sheet);
      return html`<section class="group" aria-labelledby="group-${g.groupId}" data-testid="group-${g.groupId}">
      <h3 class="group__title" id="group-${g.groupId}"><span class="group__code">${g.code}.</span> ${g.title}</h3>
      <p class="group__meta">Tối đa ${formatPointsVi(g.maximum)} điểm · Tự chấm: <strong data-group-total="${g.groupId}">${formatPointsVi(claimedIn(lines))}</strong> điểm</p>
      ${lines.map((l) => editableLine(l, view))}
    </section>`;
    })}
    ${bonus.length > 0 &&
    html`<section class="group group--bonus" aria-labelledby="group-bonus" data-testid="group-bonus">
      <h3 class="group__title" id="group-bonus">Điểm thưởng</h3>
      <p class="group__meta">Các mục cộng lại tính tối đa ${formatPointsVi(scheme.bonus.cap)} điểm · Tự chấm: <strong data-bonus-total>${formatPointsVi(Math.min(claimedIn(bonus), scheme.bonus.cap))}</strong> điểm</p>
      ${bonus.map((l) => editableLine(l, view))}
    </section>`}
    <div class="totalbar">
      <p class="totalbar__line">Tổng điểm tự chấm: <output class="totalbar__value" data-total data-testid="total">${formatPointsVi(view.sheet?.selfTotal ?? 0)}</output> / ${formatPointsVi(scheme.base)} điểm</p>
      <p class="form-status" role="status" aria-live="polite" data-role="status" data-testid="form-status"></p>
    </div>
    <div class="send">
      <p class="hint">Tổng điểm chưa tính điểm trừ do nộp muộn, không nộp tài liệu: Cụm tính khi thẩm định. Lưu nháp để làm tiếp sau; nộp khi đã chấm đủ mọi tiêu chí (sau khi nộp không sửa được nữa).</p>
      <div class="actions">
        <button class="btn btn--secondary" type="button" data-action="save" data-testid="save">Lưu nháp</button>
        <button class="btn" type="button" data-action="submit" data-testid="submit">Nộp bảng tự chấm điểm</button>
      </div>
    </div>
  </form>`;
}

function editableLine(l: Line, view: SelfScoreFormView): SafeHtml {
  const key = `${l.kind === 'criterion' ? 'c' : 'b'}-${l.id}`;
  const selected = l.value?.evidenceUploadId;
  return html`<div class="line" data-line="${l.kind}" data-id="${l.id}" data-code="${l.code}" data-name="${l.name}" data-max="${l.maximum}"${l.groupId ? html` data-group="${l.groupId}"` : ''} data-testid="line-${l.id}">
        <p class="line__head">${l.code && html`<span class="line__code">${l.code}</span> `}<span class="line__title" id="title-${key}">${l.title}</span></p>
        <p class="line__max">Điểm tối đa: <strong>${formatPointsVi(l.maximum)}</strong></p>
        ${l.guidance && html`<p class="line__guide" id="guide-${key}">Cách chấm: ${l.guidance}</p>`}
        <div class="line__fields">
          <div class="field field--points">
            <label for="points-${key}">Điểm tự chấm<span class="sr"> ${l.name}</span></label>
            <input id="points-${key}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" value="${l.value ? formatPointsVi(l.value.points) : ''}" placeholder="0 – ${formatPointsVi(l.maximum)}" data-role="points" aria-describedby="title-${key}${l.guidance ? ` guide-${key}` : ''}" data-testid="points-${l.id}">
          </div>
          <div class="field field--text">
            <label for="justification-${key}">Giải trình<span class="sr"> ${l.name}</span></label>
            <textarea id="justification-${key}" rows="2" maxlength="1000" data-role="justification" data-testid="justification-${l.id}">${l.value?.justification ?? ''}</textarea>
          </div>
          <div class="field field--evidence">
            <label for="evidence-${key}">Minh chứng<span class="sr"> ${l.name}</span></label>
            <select id="evidence-${key}" data-role="evidence" data-testid="evidence-${l.id}">
              <option value="">Không có</option>
              ${view.evidence.map((e) => html`<option value="${e.uploadId}"${e.uploadId === selected ? raw(' selected') : ''}>${e.fileName} (${e.milestoneTitle}, ${e.receivedAtLabel})</option>`)}
            </select>
          </div>
        </div>
      </div>`;
}

// ---- Read-only ------------------------------------------------------------------------------------------------------

function readOnlySheet(view: SelfScoreFormView, scheme: SchemeView): SafeHtml {
  const bonus = bonusLines(scheme.bonus.items, view.sheet);
  return html`<div class="sheet sheet--readonly" data-testid="self-score-readonly">
    ${scheme.groups.map((g) => {
      const lines = criterionLines(g, view.sheet);
      return html`<section class="group" aria-labelledby="group-${g.groupId}" data-testid="group-${g.groupId}">
      <h3 class="group__title" id="group-${g.groupId}"><span class="group__code">${g.code}.</span> ${g.title}</h3>
      <p class="group__meta">Tối đa ${formatPointsVi(g.maximum)} điểm${view.sheet && html` · Tự chấm: <strong>${formatPointsVi(claimedIn(lines))}</strong> điểm`}</p>
      ${lines.map((l) => readOnlyLine(l, view))}
    </section>`;
    })}
    ${bonus.length > 0 &&
    html`<section class="group group--bonus" aria-labelledby="group-bonus" data-testid="group-bonus">
      <h3 class="group__title" id="group-bonus">Điểm thưởng</h3>
      <p class="group__meta">Các mục cộng lại tính tối đa ${formatPointsVi(scheme.bonus.cap)} điểm</p>
      ${bonus.map((l) => readOnlyLine(l, view))}
    </section>`}
    ${view.sheet && html`<p class="totalbar totalbar--static">Tổng điểm tự chấm: <strong data-testid="total">${view.sheet.selfTotalLabel}</strong> / ${formatPointsVi(scheme.base)} điểm</p>`}
  </div>`;
}

function readOnlyLine(l: Line, view: SelfScoreFormView): SafeHtml {
  const evidence = evidenceName(view, l.value?.evidenceUploadId);
  return html`<div class="line line--readonly" data-testid="line-${l.id}">
        <p class="line__head">${l.code && html`<span class="line__code">${l.code}</span> `}<span class="line__title">${l.title}</span></p>
        <p class="line__max">Điểm tối đa: <strong>${formatPointsVi(l.maximum)}</strong>${view.sheet && html` · Tự chấm: <strong data-testid="points-${l.id}">${l.value ? formatPointsVi(l.value.points) : 'chưa chấm'}</strong>`}</p>
        ${l.guidance && html`<p class="line__guide">Cách chấm: ${l.guidance}</p>`}
        ${l.value?.justification && html`<p class="line__note">Giải trình: ${l.value.justification}</p>`}
        ${evidence && html`<p class="line__note">Minh chứng: ${evidence}</p>`}
      </div>`;
}

const evidenceName = (view: SelfScoreFormView, uploadId: string | undefined): string | undefined =>
  uploadId ? (view.evidence.find((e) => e.uploadId === uploadId)?.fileName ?? 'tệp đã gửi') : undefined;

/** The page shown (403) when the link cannot open the form, e.g. a link narrowed to another milestone. */
export function renderSelfScoreRefused(opts: { message: string; nonce: string }): string {
  const body = html`
<header class="top">
  <div class="wrap">
    <p class="top__org">Bảng tự chấm điểm thi đua</p>
  </div>
</header>
<main class="wrap">
  <section class="card card--error" data-testid="self-score-refused">
    <h1 class="card__title">Không mở được bảng tự chấm điểm</h1>
    <p>${opts.message}</p>
    <p>Vui lòng dùng đường link của đơn vị trong email mới nhất, hoặc liên hệ đơn vị Cụm trưởng.</p>
  </section>
</main>`;
  return documentOf({ title: 'Không mở được bảng tự chấm điểm', nonce: opts.nonce, body });
}

// ---- The printable copy -----------------------------------------------------------------------------------------------

/**
 * Renders the copy to print, sign and stamp: A4 portrait, the unit's points per criterion with group subtotals, the
 * bonus, the claimed total, the sheet's status and the signature block. Its only script is the "In" button's.
 *
 * @returns a complete HTML document (a short message instead when the unit has no sheet yet).
 */
export function renderSelfScorePrint(view: SelfScoreFormView, opts: { nonce: string }): string {
  const { scheme, sheet } = view;
  const title = `Bảng tự chấm điểm thi đua năm học ${view.schoolYearLabel}`;
  const content =
    scheme && sheet
      ? printedSheet(view, scheme, sheet)
      : html`<p class="empty" data-testid="print-empty">Đơn vị chưa lưu bảng tự chấm điểm nào cho năm học ${view.schoolYearLabel}. Hãy điền và lưu bảng trên trang tự chấm điểm trước khi in.</p>`;
  const body = html`
<div class="toolbar no-print">
  <a class="toolbar__back" href="../${SELF_SCORE_PATH}">← Quay lại bảng tự chấm điểm</a>
  ${scheme && sheet && html`<button class="toolbar__print" type="button" data-print data-testid="print-button">In</button>`}
</div>
<article class="paper" data-testid="print-sheet">
  <header class="doc-head">
    <div class="doc-head__org">
      <p class="upper">${view.clusterName}</p>
      <p class="upper strong underline">${view.unitName}</p>
    </div>
    <div class="doc-head__nation">
      <p class="upper strong">Cộng hòa xã hội chủ nghĩa Việt Nam</p>
      <p class="strong underline">Độc lập - Tự do - Hạnh phúc</p>
    </div>
  </header>
  <h1 class="doc-title">BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM HỌC ${view.schoolYearLabel}</h1>
  <p class="doc-sub">${view.planTitle}</p>
  ${content}
</article>
<script nonce="${opts.nonce}">
(function () {
'use strict';
var button = document.querySelector('[data-print]');
if (button) button.addEventListener('click', function () { window.print(); });
})();
</script>`;
  return documentOf({ title: `${view.unitName} · ${title}`, nonce: opts.nonce, body, styles: PRINT_STYLES });
}

function printedSheet(view: SelfScoreFormView, scheme: SchemeView, sheet: SheetView): SafeHtml {
  const bonus = bonusLines(scheme.bonus.items, sheet);
  const row = (l: Line): SafeHtml => {
    const evidence = evidenceName(view, l.value?.evidenceUploadId);
    return html`<tr data-testid="print-line-${l.id}">
        <td class="num">${l.code || '-'}</td>
        <td>${l.title}</td>
        <td class="num">${formatPointsVi(l.maximum)}</td>
        <td class="num pts">${l.value ? formatPointsVi(l.value.points) : ''}</td>
        <td class="note">${l.value?.justification ?? ''}${evidence && html`<span class="note__evidence">Minh chứng: ${evidence}</span>`}</td>
      </tr>`;
  };
  return html`${sheet.status === 'submitted'
    ? html`<p class="status status--submitted" data-testid="print-status">Đã nộp lúc ${sheet.submittedAtLabel}${sheet.late ? ' (nộp muộn)' : ''}</p>`
    : html`<p class="status status--draft" data-testid="print-status">Bản nháp — chưa nộp</p>`}
  ${scheme.sampleNote && html`<p class="sample">Thang điểm mẫu: ${scheme.sampleNote}.</p>`}
  <table class="grid">
    <colgroup><col class="c-code"><col class="c-title"><col class="c-max"><col class="c-pts"><col class="c-note"></colgroup>
    <thead>
      <tr><th scope="col">STT/Mã</th><th scope="col">Nội dung tiêu chí</th><th scope="col">Điểm tối đa</th><th scope="col">Điểm tự chấm</th><th scope="col">Giải trình</th></tr>
    </thead>
    <tbody>
      ${scheme.groups.map((g) => {
        const lines = criterionLines(g, sheet);
        return html`<tr class="group-row" data-testid="print-group-${g.groupId}">
        <td class="num">${g.code}</td>
        <td>${g.title}</td>
        <td class="num">${formatPointsVi(g.maximum)}</td>
        <td class="num pts">${formatPointsVi(claimedIn(lines))}</td>
        <td></td>
      </tr>
      ${lines.map(row)}`;
      })}
      ${bonus.length > 0 &&
      html`<tr class="group-row" data-testid="print-group-bonus">
        <td class="num">+</td>
        <td>Điểm thưởng (các mục cộng lại tính tối đa ${formatPointsVi(scheme.bonus.cap)} điểm)</td>
        <td class="num">${formatPointsVi(scheme.bonus.cap)}</td>
        <td class="num pts">${formatPointsVi(Math.min(claimedIn(bonus), scheme.bonus.cap))}</td>
        <td></td>
      </tr>
      ${bonus.map(row)}`}
      <tr class="total-row">
        <td colspan="2">TỔNG ĐIỂM TỰ CHẤM</td>
        <td class="num">${formatPointsVi(scheme.base)}</td>
        <td class="num pts" data-testid="print-total">${formatPointsVi(sheet.selfTotal)}</td>
        <td></td>
      </tr>
    </tbody>
  </table>
  <p class="total-line">Tổng số điểm đơn vị tự chấm: <strong>${sheet.selfTotalLabel}</strong> (chưa tính điểm trừ do nộp muộn, không nộp tài liệu; Cụm tính khi thẩm định).</p>
  <p class="date-line">……………, ngày …… tháng …… năm ………</p>
  <div class="signs">
    <div class="signs__col">
      <p class="strong">NGƯỜI LẬP BẢNG</p>
      <p class="signs__hint">(Ký, ghi rõ họ tên)</p>
    </div>
    <div class="signs__col">
      <p class="strong">TM. BAN CHẤP HÀNH</p>
      <p class="strong">CHỦ TỊCH</p>
      <p class="signs__hint">(Ký tên, đóng dấu)</p>
    </div>
  </div>
  <p class="printed-at no-print">${view.generatedAtLabel}</p>`;
}

// ---- Styles -----------------------------------------------------------------------------------------------------------

/** Added to the member page's styles for the form. */
const FORM_STYLES = `
select,textarea,input{font:inherit}
.page-title{font-size:1.25rem;line-height:1.35;margin:0 0 .75rem}
.state{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid;font-weight:600}
.state--open{background:#eff6ff;color:#1e3a8a;border-color:#93c5fd}
.state--submitted{background:#dcfce7;color:#14532d;border-color:#86efac}
.state--not-open,.state--no-scheme,.state--not-required{background:#f3f4f6;color:#1f2937;border-color:#9ca3af}
.state--closed{background:#fee2e2;color:#7f1d1d;border-color:#fca5a5}
.state--frozen{background:#1f2937;color:#fff;border-color:#1f2937}
.facts--boxed{background:#fff;border:1px solid #d1d5db;border-radius:.75rem;padding:.75rem 1rem;margin-bottom:1rem}
.sheet-status{background:#fff;border:1px solid #d1d5db;border-radius:.5rem;padding:.6rem 1rem}
.sheet-status--submitted{border-color:#86efac}
.links{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .75rem}
.links__item{display:inline-block;padding:.6rem 1rem;border:1px solid #1d4ed8;border-radius:.5rem;background:#fff;font-weight:600;text-decoration:none}
.links__item:hover{background:#eff6ff}
.links__item[hidden]{display:none}
.group{background:#fff;border:1px solid #d1d5db;border-radius:.75rem;padding:1rem;margin:1rem 0}
.group--bonus{border-color:#fcd34d}
.group__title{font-size:1.0625rem;line-height:1.35;margin:0 0 .25rem}
.group__code{color:#0c4a6e}
.group__meta{color:#374151;font-size:.9375rem;margin:0 0 .5rem}
.line{border-top:1px solid #e5e7eb;padding:.75rem 0 .25rem}
.line p{margin:0 0 .35rem}
.line__head{font-weight:600}
.line__code{display:inline-block;min-width:2.25rem;font-variant-numeric:tabular-nums;color:#0c4a6e}
.line__max{font-size:.9375rem;color:#374151}
.line__guide{font-size:.875rem;color:#4b5563;font-style:italic}
.line__note{font-size:.9375rem;overflow-wrap:anywhere}
.line__fields{display:grid;gap:.5rem}
.field label{display:block;font-size:.875rem;font-weight:600;color:#374151;margin-bottom:.15rem}
.field input,.field textarea,.field select{display:block;width:100%;min-height:2.75rem;padding:.5rem .6rem;border:1px solid #6b7280;border-radius:.375rem;background:#fff;color:#1f2937}
.field textarea{resize:vertical}
.field input[aria-invalid="true"]{border:2px solid #b91c1c;background:#fef2f2}
/* A slim bar that follows the unit down the form (its own place is the form's end): the total as it types, and what
   a save answered, wherever the unit is on the page. */
.totalbar{position:sticky;bottom:0;z-index:1;margin:1rem 0 0;padding:.5rem 1rem;background:#0c4a6e;color:#fff;border-radius:.5rem}
.totalbar p{margin:0}
.totalbar__line{font-size:1.0625rem;font-weight:700}
.totalbar--static{position:static;background:#fff;color:#1f2937;border:2px solid #0c4a6e;font-size:1.0625rem;font-weight:700}
.totalbar__value{font-variant-numeric:tabular-nums}
.send{background:#fff;border:1px solid #d1d5db;border-radius:.75rem;padding:.75rem 1rem;margin:.75rem 0 1rem}
.actions{display:grid;gap:.5rem;margin-top:.5rem}
.btn{min-height:3rem;padding:.75rem 1rem;border:0;border-radius:.5rem;background:#0c4a6e;color:#fff;font:inherit;font-size:1.0625rem;font-weight:700;cursor:pointer}
.btn:hover{background:#075985}
.btn--secondary{background:#fff;color:#0c4a6e;border:2px solid #0c4a6e}
.btn--secondary:hover{background:#f0f9ff}
.btn:disabled{opacity:.6;cursor:progress}
.totalbar .form-status{margin:.35rem 0 .15rem;font-weight:600}
.totalbar .form-status:empty{display:none}
.form-status[data-state="error"]{color:#fecaca}
.form-status[data-state="ok"]{color:#bbf7d0}
@media (min-width:40rem){
.line__fields{grid-template-columns:8rem 1fr;align-items:start}
.field--evidence{grid-column:2}
.actions{grid-template-columns:auto auto;justify-content:start}
}
`;

/** The printable copy: A4 portrait, a serif face as official documents use, black on white when printed. */
const PRINT_STYLES = `
@page{size:A4 portrait;margin:15mm 15mm 15mm 20mm}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#e5e7eb;color:#000;font-family:"Times New Roman",Times,"Liberation Serif","Noto Serif",serif;font-size:13pt;line-height:1.35}
p{margin:0 0 .25rem}
.toolbar{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between;max-width:210mm;margin:0 auto;padding:.75rem 1rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;font-size:1rem}
.toolbar__back{color:#1d4ed8;padding:.4rem 0}
.toolbar__print{min-height:2.75rem;min-width:7rem;padding:.5rem 1.25rem;border:0;border-radius:.5rem;background:#0c4a6e;color:#fff;font:inherit;font-weight:700;cursor:pointer}
.toolbar a:focus-visible,.toolbar button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.paper{background:#fff;width:210mm;max-width:100%;min-height:297mm;margin:0 auto 1rem;padding:15mm 15mm 15mm 20mm;box-shadow:0 1px 4px rgba(0,0,0,.25)}
.doc-head{display:grid;grid-template-columns:1fr 1.3fr;gap:1rem;text-align:center;font-size:12pt;margin-bottom:1rem}
.upper{text-transform:uppercase}
.strong{font-weight:700}
.underline{text-decoration:underline;text-underline-offset:3px}
.doc-title{font-size:14pt;text-align:center;margin:.75rem 0 .25rem}
.doc-sub{text-align:center;font-style:italic;margin-bottom:.5rem}
.status{text-align:center;margin:.5rem 0}
.status--draft{border:3px double #6b7280;color:#6b7280;font-size:18pt;font-weight:700;letter-spacing:.15em;text-transform:uppercase;padding:.25rem}
.status--submitted{font-style:italic}
.sample{font-size:11pt;font-style:italic;margin-bottom:.5rem}
.grid{width:100%;border-collapse:collapse;font-size:12pt}
.grid th,.grid td{border:1px solid #000;padding:3pt 4pt;vertical-align:top;overflow-wrap:anywhere}
.grid th{text-align:center;font-weight:700}
.grid thead{display:table-header-group}
.grid tr{break-inside:avoid}
.c-code{width:9%}.c-title{width:41%}.c-max{width:10%}.c-pts{width:10%}.c-note{width:30%}
.num{text-align:center;white-space:nowrap}
.pts{font-weight:700}
.note{font-size:11pt}
.note__evidence{display:block;font-style:italic}
.group-row td{font-weight:700;background:#f3f4f6}
.total-row td{font-weight:700}
.total-line{margin:.5rem 0 1rem}
.date-line{text-align:right;font-style:italic;margin:1rem 0 .25rem}
.signs{display:grid;grid-template-columns:1fr 1fr;gap:1rem;text-align:center;break-inside:avoid;min-height:40mm}
.signs__hint{font-style:italic;font-size:11pt}
.printed-at{margin-top:1.5rem;font-size:10pt;color:#4b5563}
.empty{font-style:italic;margin:1rem 0}
@media (min-width:40rem){
.doc-head__nation p{white-space:nowrap}
}
@media (max-width:40rem){
.paper{padding:1rem .75rem;min-height:0}
.doc-head{grid-template-columns:1fr;gap:.5rem}
.grid{font-size:10.5pt}
}
@media print{
body{background:#fff}
.paper{width:auto;min-height:0;margin:0;padding:0;box-shadow:none}
.no-print{display:none!important}
.group-row td{background:#fff}
}
`;

// ---- The form's script ------------------------------------------------------------------------------------------------

/**
 * Run inside an IIFE after `var CONFIG = ...`: sets the member page link's address, keeps the live total, checks the
 * points as the unit typed them (decimal comma or point, at most two decimals, within the maximum), then PUTs the
 * sheet and reloads so the page shows what was stored. Plain ES2019, no dependencies.
 */
const CLIENT_SCRIPT = String.raw`var FAILED = 'Chưa lưu được, vui lòng thử lại.';
var apiBase = CONFIG.basePath + '/u/' + encodeURIComponent(CONFIG.token);

Array.prototype.forEach.call(document.querySelectorAll('a[data-link="member"]'), function (link) {
  link.href = apiBase;
  link.hidden = false;
});

function toCenti(n) { return Math.round(n * 100); }

// 850 -> "8,5": how the unit writes points.
function formatCenti(centi) {
  var fraction = String(centi % 100);
  if (fraction.length < 2) fraction = '0' + fraction;
  fraction = fraction.replace(/0+$/, '');
  return Math.floor(centi / 100) + (fraction ? ',' + fraction : '');
}

// A points field: { empty: true }, { centi: n } or { error: '…' }. "8,5" and "8.5" are both 8.5.
function readPoints(text, maxCenti) {
  var t = String(text).replace(/\s+/g, '');
  if (t === '') return { empty: true };
  if (t.charAt(0) === '-') return { error: 'điểm không được âm' };
  var m = /^(\d{1,6})(?:[.,](\d+))?$/.exec(t);
  if (!m) return { error: 'điểm phải là một số, ví dụ 8 hoặc 8,5' };
  if (m[2] && m[2].length > 2) return { error: 'điểm chỉ được có tối đa hai chữ số thập phân' };
  var centi = Number(m[1]) * 100 + (m[2] ? Number((m[2] + '0').slice(0, 2)) : 0);
  if (centi > maxCenti) return { error: formatCenti(centi) + ' điểm vượt quá điểm tối đa ' + formatCenti(maxCenti) };
  return { centi: centi };
}

function readJson(response) {
  return response.json().then(null, function () { return null; });
}

function setUp(form) {
  var status = form.querySelector('[data-role="status"]');
  var buttons = form.querySelectorAll('button[data-action]');
  var totalOut = form.querySelector('[data-total]');
  var bonusOut = form.querySelector('[data-bonus-total]');
  var capCenti = toCenti(CONFIG.bonusCap);
  var busy = false;
  var lines = Array.prototype.map.call(form.querySelectorAll('[data-line]'), function (el) {
    return {
      kind: el.getAttribute('data-line'),
      id: el.getAttribute('data-id'),
      code: el.getAttribute('data-code'),
      name: el.getAttribute('data-name'),
      group: el.getAttribute('data-group'),
      maxCenti: toCenti(Number(el.getAttribute('data-max'))),
      points: el.querySelector('[data-role="points"]'),
      justification: el.querySelector('[data-role="justification"]'),
      evidence: el.querySelector('[data-role="evidence"]')
    };
  });

  function say(message, state) {
    status.textContent = message;
    if (state) status.setAttribute('data-state', state);
    else status.removeAttribute('data-state');
  }

  function setBusy(value) {
    busy = value;
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = value; });
  }

  // Sums what reads as points; a field being typed that does not (yet) read as points counts for nothing.
  function recompute() {
    var groups = {};
    var criteria = 0;
    var bonus = 0;
    lines.forEach(function (line) {
      var read = readPoints(line.points.value, line.maxCenti);
      if (read.error) line.points.setAttribute('aria-invalid', 'true');
      else line.points.removeAttribute('aria-invalid');
      var centi = read.centi || 0;
      if (line.kind === 'bonus') { bonus += centi; return; }
      criteria += centi;
      groups[line.group] = (groups[line.group] || 0) + centi;
    });
    Object.keys(groups).forEach(function (id) {
      var out = form.querySelector('[data-group-total="' + id + '"]');
      if (out) out.textContent = formatCenti(groups[id]);
    });
    var counted = Math.min(bonus, capCenti);
    if (bonusOut) bonusOut.textContent = formatCenti(counted);
    totalOut.textContent = formatCenti(criteria + counted);
    return { total: criteria + counted, bonus: bonus };
  }

  // The body to send, or the problems to show first (each naming its criterion).
  function collect(action) {
    var problems = [];
    var missing = [];
    var firstBad = null;
    var body = { action: action, expectedVersion: CONFIG.expectedVersion, criteria: [], bonus: [] };
    lines.forEach(function (line) {
      var read = readPoints(line.points.value, line.maxCenti);
      var justification = line.justification.value.trim();
      var evidence = line.evidence.value;
      if (read.error) {
        problems.push(line.name + ': ' + read.error + '.');
        firstBad = firstBad || line.points;
        return;
      }
      if (justification.length > 1000) {
        problems.push(line.name + ': giải trình quá dài (tối đa 1000 ký tự).');
        firstBad = firstBad || line.justification;
        return;
      }
      if (read.empty) {
        if (justification || evidence) {
          problems.push(line.name + ': đã có giải trình hoặc minh chứng nhưng chưa nhập điểm.');
          firstBad = firstBad || line.points;
        } else if (action === 'submit' && line.kind === 'criterion') {
          missing.push(line.code);
          firstBad = firstBad || line.points;
        }
        return;
      }
      var entry = { points: read.centi / 100 };
      if (justification) entry.justification = justification;
      if (evidence) entry.evidenceUploadId = evidence;
      if (line.kind === 'criterion') entry.criterionId = line.id;
      else entry.itemId = line.id;
      (line.kind === 'criterion' ? body.criteria : body.bonus).push(entry);
    });
    var sums = recompute();
    if (sums.bonus > capCenti) problems.push('Tổng điểm thưởng (' + formatCenti(sums.bonus) + ') vượt quá mức tối đa ' + formatCenti(capCenti) + ' điểm.');
    if (missing.length) problems.push('Chưa chấm tiêu chí ' + missing.join(', ') + ': cần nhập điểm cho mọi tiêu chí trước khi nộp.');
    return { body: body, problems: problems, firstBad: firstBad, total: sums.total };
  }

  function send(action) {
    if (busy) return;
    var out = collect(action);
    if (out.problems.length) {
      say(out.problems.join(' '), 'error');
      if (out.firstBad) out.firstBad.focus();
      return;
    }
    if (action === 'submit' && !window.confirm('Nộp bảng tự chấm điểm với tổng ' + formatCenti(out.total) + ' điểm?\n\n' +
      'Đây là bản nộp chính thức: sau khi nộp, đơn vị không sửa được nữa (muốn sửa phải liên hệ đơn vị Cụm trưởng).')) return;
    setBusy(true);
    say(action === 'submit' ? 'Đang nộp…' : 'Đang lưu…');
    fetch(apiBase + '/self-score', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(out.body),
      credentials: 'same-origin',
      cache: 'no-store'
    }).then(function (response) {
      return readJson(response).then(function (body) {
        if (response.ok && body && typeof body.message === 'string') {
          say(body.message, 'ok');
          // The reloaded page shows what was stored (and the next version to save against).
          setTimeout(function () { location.reload(); }, action === 'submit' ? 2500 : 1200);
          return;
        }
        say(body && body.error && typeof body.error.message === 'string' ? body.error.message : FAILED, 'error');
        setBusy(false);
      });
    }).then(null, function () {
      say(FAILED, 'error');
      setBusy(false);
    });
  }

  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('input', function (event) {
    if (event.target && event.target.getAttribute('data-role') === 'points') recompute();
  });
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener('click', function () { send(button.getAttribute('data-action')); });
  });
  recompute();
}

var sheetForm = document.querySelector('form[data-self-score]');
if (sheetForm) setUp(sheetForm);`;
