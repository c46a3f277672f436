/** Pieces every view uses: result and error messages, field errors from the API, and the "who" selector. */
import { ApiError } from './api';
import { append, fill, h, type Child, type Option } from './dom';
import { UNIT_ROLE_LABELS } from './labels';
import type { Unit, UnitSelector } from './types';

export type MessageKind = 'ok' | 'error' | 'info' | 'warn';

/** A message block: announced politely (status) or at once (alert, for errors). */
export function message(kind: MessageKind, ...children: Child[]): HTMLElement {
  return h('div', { class: `msg msg--${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

interface Issue {
  field: string;
  message: string;
}

const issuesOf = (details: unknown): Issue[] =>
  Array.isArray(details)
    ? details.filter((d): d is Issue => typeof d === 'object' && d !== null && typeof d.field === 'string' && typeof d.message === 'string')
    : [];

/** The form field a server issue path ("due.date", "emails.1") belongs to: the longest `data-field` prefix. */
function fieldFor(form: HTMLElement, path: string): HTMLElement | undefined {
  let best: HTMLElement | undefined;
  let bestLength = -1;
  for (const el of form.querySelectorAll<HTMLElement>('[data-field]')) {
    const name = el.dataset.field ?? '';
    if (name && (path === name || path.startsWith(`${name}.`)) && name.length > bestLength) {
      best = el;
      bestLength = name.length;
    }
  }
  return best;
}

/**
 * Shows an error next to the form: the API's Vietnamese message, and each field issue both in the summary and under
 * its field. Anything that is not an API error is a fault of the page itself: a plain apology, and the console.
 */
export function showError(area: HTMLElement, error: unknown, form?: HTMLElement): void {
  form?.querySelectorAll('.field-error').forEach((e) => e.remove());
  form?.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  if (!(error instanceof ApiError)) {
    console.error(error);
    fill(area, message('error', 'Trang gặp lỗi ngoài dự kiến. Hãy tải lại trang rồi thử lại.'));
    return;
  }
  const issues = issuesOf(error.details);
  const items = issues.map((issue) => {
    const wrapper = form && fieldFor(form, issue.field);
    const label = wrapper?.querySelector('label,legend')?.textContent?.trim();
    if (wrapper) {
      append(wrapper, h('p', { class: 'field-error' }, issue.message));
      wrapper.querySelector('input,select,textarea')?.setAttribute('aria-invalid', 'true');
    }
    return h('li', null, label ? `${label}: ${issue.message}` : issue.field ? `${issue.field}: ${issue.message}` : issue.message);
  });
  fill(
    area,
    message(
      'error',
      h('p', null, error.message),
      items.length > 0 && h('ul', null, items),
      error.requestId && h('p', { class: 'hint' }, `Mã yêu cầu: ${error.requestId}`),
    ),
  );
}

/** Runs an action and shows its error in `area` (an action that fails leaves the page as it was). */
export async function attempt(area: HTMLElement, work: () => Promise<void>, form?: HTMLElement): Promise<void> {
  try {
    await work();
  } catch (error) {
    showError(area, error, form);
  }
}

// ---- "Who": the unit selector of a document requirement or a task ----------------------------------------------

const sortedKey = (list: readonly string[]): string => [...list].sort().join(',');

/** A stable key for a selector, to match an existing one with the select's options. */
export function selectorKey(selector: UnitSelector): string {
  switch (selector.type) {
    case 'roles':
      return `roles:${sortedKey(selector.roles)}`;
    case 'units':
      return `units:${sortedKey(selector.unitIds)}`;
    default:
      return selector.type;
  }
}

export function describeSelector(selector: UnitSelector, units: readonly Unit[]): string {
  switch (selector.type) {
    case 'all':
      return 'Tất cả đơn vị';
    case 'proposed-for-award':
      return 'Các đơn vị được đề nghị khen thưởng';
    case 'roles':
      return selector.roles.map((r) => `đơn vị ${UNIT_ROLE_LABELS[r]}`).join(', ').replace(/^./, (c) => c.toUpperCase());
    case 'units':
      return selector.unitIds.map((id) => units.find((u) => u.unitId === id)?.name ?? id).join(', ');
  }
}

export interface SelectorChoices {
  options: Option[];
  selectorOf(value: string): UnitSelector;
}

/** The choices of a "who" select: everyone, by role, one unit, plus `extra` selectors already in the plan. */
export function selectorChoices(units: readonly Unit[], extra: readonly UnitSelector[] = []): SelectorChoices {
  const all: UnitSelector[] = [
    { type: 'all' },
    { type: 'roles', roles: ['cum-truong'] },
    { type: 'roles', roles: ['cum-pho'] },
    { type: 'roles', roles: ['cum-truong', 'cum-pho'] },
    { type: 'roles', roles: ['thanh-vien'] },
    ...units.map((u): UnitSelector => ({ type: 'units', unitIds: [u.unitId] })),
    { type: 'proposed-for-award' },
    ...extra,
  ];
  const byKey = new Map<string, UnitSelector>();
  for (const s of all) if (!byKey.has(selectorKey(s))) byKey.set(selectorKey(s), s);
  return {
    options: [...byKey].map(([value, s]) => ({ value, label: s.type === 'units' && s.unitIds.length === 1 ? `Đơn vị: ${describeSelector(s, units)}` : describeSelector(s, units) })),
    selectorOf: (value) => byKey.get(value) ?? { type: 'all' },
  };
}

/** "7, 3, 1, 0" -> [7, 3, 1, 0]; undefined when it is not a list of whole numbers. */
export function parseOffsets(text: string): number[] | undefined {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  if (!parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  return parts.map(Number);
}

/** Follows a short-lived download link (S3 answers with the original file name as an attachment). */
export function followDownload(url: string, fileName?: string): void {
  if (!/^https?:\/\//.test(url)) throw new Error('unexpected download URL');
  const link = h('a', { href: url, rel: 'noopener', download: fileName ?? true, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

/** Copies text; false when the browser refuses (no permission, not a secure context). */
export async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A read-only box with a link (selected on focus), so it can always be copied by hand. */
export function linkBox(url: string, testId: string, label: string): HTMLInputElement {
  const box = h('input', { type: 'text', readonly: true, value: url, class: 'linkbox', 'data-testid': testId, 'aria-label': label });
  box.addEventListener('focus', () => box.select());
  return box;
}
