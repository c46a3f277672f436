/**
 * The signed-in page: header (cluster, school year, sign-out), tabs, and one view per hash route
 * (`#/bang-theo-doi` …). Each view gets a context and a generation check, so a slow answer for a view the person has
 * already left is dropped instead of drawn.
 */
import { ApiError, api, clusterPath, onUnauthorized, setCsrfToken } from './api';
import { button, fill, h, select } from './dom';
import { ictDate } from './format';
import { renderSignInForm, renderSignInLink, tokenFromHash } from './signin';
import type { ClusterSummary, Plan, Res, Session } from './types';
import { message, showError } from './ui';
import { auditView } from './views/audit';
import { boardView } from './views/board';
import { keysView } from './views/keys';
import { planView } from './views/plan';
import { planImportView } from './views/plan-import';
import { remindersView } from './views/reminders';
import { scoringView } from './views/scoring';
import { unitsView } from './views/units';

export interface ViewContext {
  session: Session;
  cluster: ClusterSummary;
  /** False for read-only access (province viewers): every write action is left out. */
  canWrite: boolean;
  plans: Plan[];
  /** The chosen school year's plan (undefined when the cluster has none yet). */
  plan?: Plan;
  root: HTMLElement;
  /** Whether the view is still the one on screen. */
  alive(): boolean;
  /** Registers what to stop when the view goes (timers, listeners). */
  cleanup(stop: () => void): void;
  /** Reloads the plan list (after a clone) and optionally switches to `planId`. */
  reloadPlans(planId?: string): Promise<void>;
}

interface Route {
  path: string;
  label: string;
  view: (ctx: ViewContext) => Promise<void>;
  writeOnly?: boolean;
  /** Not a tab of its own: reached from the view of this path, whose tab shows as current. */
  under?: string;
}

const ROUTES: Route[] = [
  { path: 'bang-theo-doi', label: 'Bảng theo dõi', view: boardView },
  { path: 'ke-hoach', label: 'Kế hoạch', view: planView },
  { path: 'nhap-ke-hoach', label: 'Nhập kế hoạch từ văn bản', view: planImportView, writeOnly: true, under: 'ke-hoach' },
  { path: 'cham-diem', label: 'Chấm điểm', view: scoringView },
  { path: 'don-vi', label: 'Đơn vị', view: unitsView },
  { path: 'nhac-viec', label: 'Nhắc việc', view: remindersView },
  { path: 'nhat-ky', label: 'Nhật ký', view: auditView },
  { path: 'khoa-api', label: 'Khóa API', view: keysView, writeOnly: true },
];

const store = {
  get: (key: string): string | undefined => {
    try {
      return localStorage.getItem(key) ?? undefined;
    } catch {
      return undefined;
    }
  },
  set: (key: string, value: string): void => {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Private mode: the choice is simply not remembered.
    }
  },
};

/** The plan of the school year (August to July) containing today, else the newest one. */
function defaultPlanId(plans: readonly Plan[]): string | undefined {
  const [y, m] = ictDate(new Date()).split('-').map(Number) as [number, number];
  const startYear = m >= 8 ? y : y - 1;
  return (plans.find((p) => p.schoolYear.startYear === startYear) ?? [...plans].sort((a, b) => b.schoolYear.startYear - a.schoolYear.startYear)[0])?.planId;
}

export async function boot(root: HTMLElement): Promise<void> {
  if (/\/dang-nhap\/?$/.test(location.pathname)) {
    renderSignInLink(root, tokenFromHash(location.hash), (session) => void startApp(root, session));
    return;
  }
  try {
    const session = await api<Session>('GET', '/api/auth/session', undefined, { quiet401: true });
    await startApp(root, session);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) renderSignInForm(root);
    else {
      const area = h('main', { class: 'signin' });
      fill(root, area);
      showError(area, error);
      area.append(button('Tải lại trang', () => location.reload()));
    }
  }
}

async function startApp(root: HTMLElement, session: Session): Promise<void> {
  setCsrfToken(session.csrfToken);
  let stopView: Array<() => void> = [];
  let generation = 0;
  const stop = () => {
    generation++;
    stopView.forEach((f) => f());
    stopView = [];
    window.removeEventListener('hashchange', onHash);
  };
  onUnauthorized((error) => {
    stop();
    history.replaceState(null, '', '/admin');
    renderSignInForm(root, error.message);
  });

  if (session.clusters.length === 0) {
    fill(root, h('main', { class: 'signin' }, message('warn', 'Địa chỉ email này không còn quyền quản trị hoặc xem cụm thi đua nào.')));
    return;
  }
  let cluster = session.clusters.find((c) => c.clusterId === store.get('ctd.cluster')) ?? session.clusters[0]!;
  let plans: Plan[] = [];
  let planId: string | undefined;

  const loadPlans = async (prefer?: string) => {
    // Newest school year first.
    plans = (await api<Res<'ListPlans'>>('GET', clusterPath(cluster.clusterId, 'plans'))).plans.sort((a, b) => b.schoolYear.startYear - a.schoolYear.startYear);
    const stored = prefer ?? store.get(`ctd.plan.${cluster.clusterId}`);
    planId = plans.some((p) => p.planId === stored) ? stored : defaultPlanId(plans);
  };

  // Busy until the first view has drawn its data (see render).
  const main = h('main', { id: 'view', class: 'main', tabindex: '-1', 'aria-busy': 'true' });
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Các mục quản trị' });
  const pickers = h('div', { class: 'top__pickers' });
  const signOut = button('Đăng xuất', () => {
    void api('DELETE', '/api/auth/session')
      .catch(() => undefined)
      .then(() => {
        stop();
        history.replaceState(null, '', '/admin');
        renderSignInForm(root, 'Bạn đã đăng xuất.');
      });
  }, { class: 'btn btn--ghost', 'data-testid': 'sign-out' });
  const header = h(
    'header',
    { class: 'top' },
    h('div', { class: 'top__row' }, h('p', { class: 'top__brand' }, 'Quản trị Cụm thi đua'), h('p', { class: 'top__user' }, h('span', { class: 'top__email' }, session.email), signOut)),
    pickers,
    nav,
  );
  fill(root, header, main);

  const drawPickers = () => {
    const children: HTMLElement[] = [];
    if (session.clusters.length > 1) {
      const clusterSelect = select(
        'cluster',
        session.clusters.map((c) => ({ value: c.clusterId, label: c.access === 'write' ? c.name : `${c.name} (chỉ xem)` })),
        cluster.clusterId,
        { id: 'pick-cluster', 'data-testid': 'pick-cluster' },
      );
      clusterSelect.addEventListener('change', () => {
        cluster = session.clusters.find((c) => c.clusterId === clusterSelect.value) ?? cluster;
        store.set('ctd.cluster', cluster.clusterId);
        main.setAttribute('aria-busy', 'true');
        void loadPlans().then(refresh, (error) => {
          main.removeAttribute('aria-busy');
          showError(main, error);
        });
      });
      children.push(h('div', { class: 'picker' }, h('label', { for: 'pick-cluster' }, 'Cụm'), clusterSelect));
    } else {
      children.push(h('p', { class: 'top__cluster' }, cluster.name));
    }
    if (plans.length > 0) {
      const planSelect = select(
        'plan',
        plans.map((p) => ({ value: p.planId, label: `Năm học ${p.planId}` })),
        planId,
        { id: 'pick-plan', 'data-testid': 'pick-plan' },
      );
      planSelect.addEventListener('change', () => {
        planId = planSelect.value;
        store.set(`ctd.plan.${cluster.clusterId}`, planId);
        refresh();
      });
      children.push(h('div', { class: 'picker' }, h('label', { for: 'pick-plan' }, 'Kế hoạch'), planSelect));
    }
    if (cluster.access !== 'write') children.push(h('span', { class: 'tag tag--read', 'data-testid': 'read-only' }, 'Chỉ xem'));
    fill(pickers, ...children);
  };

  const routes = () => ROUTES.filter((r) => !r.writeOnly || cluster.access === 'write');
  const currentRoute = (): Route | undefined => routes().find((r) => location.hash === `#/${r.path}`);

  const render = (focus: boolean) => {
    stopView.forEach((f) => f());
    stopView = [];
    const mine = ++generation;
    let route = currentRoute();
    if (!route) {
      route = ROUTES[0]!;
      history.replaceState(null, '', `#/${route.path}`);
    }
    fill(
      nav,
      routes()
        .filter((r) => !r.under)
        .map((r) => h('a', { href: `#/${r.path}`, class: 'tabs__tab', 'aria-current': r === route || r.path === route.under ? 'page' : null }, r.label)),
    );
    document.title = `${route.label} · ${cluster.name}`;
    fill(main);
    const ctx: ViewContext = {
      session,
      cluster,
      canWrite: cluster.access === 'write',
      plans,
      plan: plans.find((p) => p.planId === planId),
      root: main,
      alive: () => mine === generation,
      cleanup: (f) => stopView.push(f),
      reloadPlans: async (prefer) => {
        main.setAttribute('aria-busy', 'true');
        try {
          await loadPlans(prefer);
        } catch (error) {
          main.removeAttribute('aria-busy');
          showError(main, error);
          return;
        }
        if (prefer) store.set(`ctd.plan.${cluster.clusterId}`, prefer);
        refresh();
      },
    };
    // aria-busy until the view's first data is drawn (assistive technology waits; so do the browser tests).
    main.setAttribute('aria-busy', 'true');
    route.view(ctx).then(
      () => {
        if (!ctx.alive()) return;
        main.removeAttribute('aria-busy');
        if (focus) main.querySelector<HTMLElement>('h2')?.focus();
      },
      (error) => {
        if (!ctx.alive()) return;
        main.removeAttribute('aria-busy');
        if (!(error instanceof ApiError && error.status === 401)) showError(main, error);
      },
    );
  };
  function refresh(): void {
    drawPickers();
    render(false);
  }
  function onHash(): void {
    render(true);
  }

  await loadPlans();
  window.addEventListener('hashchange', onHash);
  refresh();
}
