/**
 * Building the page with the DOM only: every piece of data becomes a text node or an attribute value, never markup,
 * so a unit called `<script>…` is shown as those characters. There is no `innerHTML` anywhere in the client.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Listener = (event: never) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

/** Appends children: strings and numbers as text nodes; null, undefined and false as nothing. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...(child as Child[]));
    else parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

/**
 * `h('button', { class: 'btn', onclick: go }, 'Lưu')`. Attributes named `on…` with a function become listeners;
 * `true` sets an empty attribute, `false`/null/undefined leave it out; everything else is set with setAttribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value as EventListener);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

let ids = 0;
/** A unique id, to tie a label to its input. */
export const uid = (prefix = 'f'): string => `${prefix}-${++ids}`;

/** A labelled input wrapped with its label, for forms. `field` names the body field (to show server errors there). */
export function field(label: string, input: HTMLElement, opts: { hint?: string; field?: string; class?: string } = {}): HTMLElement {
  const id = input.id || uid();
  input.id = id;
  const hint = opts.hint ? h('span', { class: 'hint', id: `${id}-hint` }, opts.hint) : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return h('div', { class: `field ${opts.class ?? ''}`.trim(), 'data-field': opts.field ?? input.getAttribute('name') }, h('label', { for: id }, label), input, hint);
}

/** A checkbox (or radio) with its label after it. */
export function check(label: string, input: HTMLInputElement): HTMLElement {
  return h('label', { class: 'check' }, input, ' ', label);
}

export interface Option {
  value: string;
  label: string;
}

export function select(name: string, options: readonly Option[], value?: string, attrs: Attrs = {}): HTMLSelectElement {
  const el = h('select', { name, ...attrs }, options.map((o) => h('option', { value: o.value }, o.label)));
  if (value !== undefined) el.value = value;
  return el;
}

/** A button that does not submit. */
export const button = (label: string, onclick: (event: MouseEvent) => void, attrs: Attrs = {}): HTMLButtonElement =>
  h('button', { type: 'button', class: 'btn', onclick, ...attrs }, label);

/** Runs `work` with the button disabled and marked busy, so a double click sends one request. */
export async function busy<T>(control: HTMLButtonElement | HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  buttons.forEach((b) => {
    b.disabled = true;
    b.setAttribute('aria-busy', 'true');
  });
  try {
    return await work();
  } finally {
    buttons.forEach((b) => {
      b.disabled = false;
      b.removeAttribute('aria-busy');
    });
  }
}
