/** What the three scoring sections share: the loaded view model, how to reload it, and small table/form pieces. */
import type { ViewContext } from '../app';
import { busy, h, type Attrs, type Child } from '../dom';
import type { Plan, ScoringView } from '../types';
import { attempt } from '../ui';

export interface ScoringCtx {
  ctx: ViewContext;
  plan: Plan;
  data: ScoringView;
  /** Results frozen (chốt): write controls stay visible but disabled, with the reason at the top of the view. */
  frozen: boolean;
  /** `…/plans/{planId}/scoring/…`. */
  path(...rest: string[]): string;
  /** Fetches the view model again and redraws the section (its persistent `note` keeps the last message). */
  reload(): Promise<void>;
  /** The section's result area, kept across redraws: sections place it where the person is looking. */
  note: HTMLElement;
}

/** Write controls: absent for read-only access, disabled (fieldset) while the results are frozen. */
export function writeArea(s: ScoringCtx, attrs: Attrs, ...children: Child[]): HTMLElement | null {
  if (!s.ctx.canWrite) return null;
  return h('fieldset', { class: 'fieldset fieldset--plain', disabled: s.frozen, ...attrs }, ...children);
}

/** Runs an action with its control busy, showing a failure (the API's Vietnamese message) in `area`. */
export const act = (control: HTMLButtonElement | HTMLFormElement, area: HTMLElement, work: () => Promise<void>): Promise<void> =>
  busy(control, () => attempt(area, work, control instanceof HTMLFormElement ? control : undefined));

/** A table row of plain cells. */
export const row = (cells: Child[], attrs: Attrs | null = null): HTMLTableRowElement => h('tr', attrs, cells.map((c) => h('td', null, c)));

/** A scrollable table: header cells, then rows ({@link row}). */
export function table(label: string, head: Child[], rows: HTMLElement[], attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label },
    h('table', { class: 'list', ...attrs }, h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', null, rows)),
  );
}

/** A small text input for points ("8,5" accepted). */
export const pointsInput = (name: string, value: number | undefined, label: string, attrs: Attrs = {}): HTMLInputElement =>
  h('input', { type: 'text', inputmode: 'decimal', class: 'pts', name, value: value === undefined ? '' : String(value).replace('.', ','), 'aria-label': label, autocomplete: 'off', ...attrs });
