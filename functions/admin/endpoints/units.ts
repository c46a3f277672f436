/** Units: add and edit, their links (copy, email, revoke and reissue). */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import type { IssuedLink } from '../../../shared/use-cases/links';
import { clip } from '../../../shared/use-cases/plans';
import { correlationIdOf } from '../../../shared/http/middleware';
import { createUnit, emailUnitLink, issueUnitLink, reissueUnitLink, unitChanges, updateUnit } from '../../../shared/use-cases/units';
import { UNIT_ROLE_LABELS } from '../../../shared/domain/model';

type Impl = Implementations<'admin'>;

/** The link as the page copies it; the token is in the URL only, never in an audit entry or a log line. */
const linkView = (link: IssuedLink) => ({ url: link.url, expiresAt: link.expiresAt.toISOString(), planId: link.plan.planId, linkVersion: link.unit.linkVersion });

const target = (unitId: string) => `unit:${unitId}`;

export const unitEndpoints = (deps: AdminDeps): Pick<Impl, 'CreateUnit' | 'UpdateUnit' | 'IssueUnitLink' | 'EmailUnitLink' | 'RevokeUnitLinks'> => ({
  CreateUnit: async ({ params, body }) => {
    const unit = await createUnit(deps, params.clusterId, body);
    return {
      body: { unit },
      audit: {
        action: 'unit.create',
        target: target(unit.unitId),
        summary: `Thêm đơn vị "${clip(unit.name)}" (${UNIT_ROLE_LABELS[unit.role]}; ${unit.emails.join(', ')}).`,
      },
    };
  },
  UpdateUnit: async ({ params, body }) => {
    const { unit, before } = await updateUnit(deps, params.clusterId, params.unitId, body);
    const changes = unitChanges(before, unit);
    return {
      body: { unit },
      audit: {
        action: 'unit.update',
        target: target(unit.unitId),
        summary: `Sửa đơn vị "${clip(unit.name)}": ${changes.length > 0 ? changes.join('; ') : 'không có thay đổi'}.`,
      },
    };
  },
  IssueUnitLink: async ({ params, body }) => {
    const link = await issueUnitLink(deps, { ...params, planId: body.planId });
    return {
      body: linkView(link),
      audit: {
        action: 'unit.link-issue',
        target: target(link.unit.unitId),
        summary: `Lấy đường link nộp tài liệu của đơn vị "${clip(link.unit.name)}" (kế hoạch ${link.plan.planId}).`,
      },
    };
  },
  EmailUnitLink: async ({ params, body, event }) => {
    const { link, sentTo } = await emailUnitLink(deps, { ...params, planId: body.planId, correlationId: correlationIdOf(event) });
    return {
      body: { sentTo, expiresAt: link.expiresAt.toISOString() },
      audit: {
        action: 'unit.link-email',
        target: target(link.unit.unitId),
        summary: `Gửi đường link nộp tài liệu (kế hoạch ${link.plan.planId}) của đơn vị "${clip(link.unit.name)}" tới ${sentTo.join(', ')}.`,
      },
    };
  },
  RevokeUnitLinks: async ({ params, body }) => {
    const link = await reissueUnitLink(deps, { ...params, planId: body.planId });
    return {
      body: linkView(link),
      audit: {
        action: 'unit.link-revoke',
        target: target(link.unit.unitId),
        summary: `Thu hồi mọi đường link cũ của đơn vị "${clip(link.unit.name)}" và cấp đường link mới (lần ${link.unit.linkVersion}).`,
      },
    };
  },
});
