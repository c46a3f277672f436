/** Bits shared by the views: the heading, "no plan yet", and the per-plan API paths. */
import type { ViewContext } from '../app';
import { clusterPath } from '../api';
import { h, type Child } from '../dom';
import type { Plan } from '../types';
import { message } from '../ui';

/** The view's heading (focused after navigation, so screen readers hear where they are). */
export const heading = (text: string, ...extra: Child[]): HTMLElement =>
  h('div', { class: 'view-head' }, h('h2', { tabindex: '-1' }, text), ...extra);

/** The chosen plan, or a message saying there is none (and undefined). */
export function requirePlan(ctx: ViewContext): Plan | undefined {
  if (!ctx.plan) ctx.root.append(message('info', 'Cụm chưa có kế hoạch năm học nào.'));
  return ctx.plan;
}

export const planPath = (ctx: ViewContext, plan: Plan, ...rest: string[]): string => clusterPath(ctx.cluster.clusterId, 'plans', plan.planId, ...rest);
