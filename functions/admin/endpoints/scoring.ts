/** Scoring: the scheme, opening self-scoring, verification, registration records, ballots, freeze and unlock. */
import { actorOf } from '../../../shared/domain/admin';
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import {
  changeLock,
  clipSummary,
  getScoring,
  openSelfScoring,
  recordRegistration,
  recordTally,
  saveScheme,
  saveVerification,
  schemeSaveSummary,
} from '../../../shared/use-cases/scoring';
import { formatInstantVi } from '../../../shared/domain/time';

type Impl = Implementations<'admin'>;
type ScoringIds = 'GetScoring' | 'SaveScoringScheme' | 'OpenSelfScoring' | 'SaveVerification' | 'RecordRegistration' | 'RecordBallots' | 'FreezeScores' | 'UnlockScores';

export const scoringEndpoints = (deps: AdminDeps): Pick<Impl, ScoringIds> => ({
  GetScoring: async ({ params }) => ({ body: await getScoring(deps, params.clusterId, params.planId) }),

  SaveScoringScheme: async ({ params, body, principal }) => {
    const saved = await saveScheme(deps, { ...params, scheme: body, by: actorOf(principal).id });
    return {
      body: saved,
      audit: { action: 'scoring.scheme', target: `plan:${params.planId}`, summary: schemeSaveSummary(params.planId, saved) },
    };
  },

  OpenSelfScoring: async ({ params, body }) => {
    const opened = await openSelfScoring(deps, { ...params, ...(body.from ? { from: body.from } : {}) });
    return {
      body: opened,
      audit: {
        action: 'scoring.open',
        target: `plan:${params.planId}`,
        summary: `Mở tự chấm điểm kế hoạch ${params.planId} từ ${formatInstantVi(new Date(opened.opensAt))}; từ đó thang điểm chỉ thay đổi bằng phiên bản mới kèm lý do.`,
      },
    };
  },

  SaveVerification: async ({ params, body, principal }) => {
    const saved = await saveVerification(deps, { ...params, input: body, by: actorOf(principal).id });
    return {
      body: { version: saved.version, changes: saved.changes },
      audit: {
        action: 'scoring.verify',
        target: `unit:${params.unitId}`,
        summary: clipSummary(`Thẩm định bảng tự chấm của ${saved.unit.name}${saved.changes.length ? `: ${saved.changes.join('; ')}` : ' (không thay đổi điểm)'}.`),
      },
    };
  },

  RecordRegistration: async ({ params, body, principal }) => {
    const { flag, unit, before } = await recordRegistration(deps, { ...params, ...body, by: actorOf(principal).id });
    const now = flag.registered ? 'đã đăng ký thi đua' : 'chưa đăng ký thi đua';
    return {
      body: { flag },
      audit: {
        action: 'scoring.registration',
        target: `unit:${unit.unitId}`,
        summary: clipSummary(`Ghi nhận ${unit.name} ${now} (trước đó: ${before ? 'đã' : 'chưa'} đăng ký). Lý do: ${flag.reason}`),
      },
    };
  },

  RecordBallots: async ({ params, body }) => {
    const { tally, names } = await recordTally(deps, { ...params, tally: body });
    const votes = tally.votes.map((v) => `${names.get(v.unitId) ?? v.unitId} ${v.count}`).join(', ');
    return {
      body: { tally },
      audit: {
        action: 'scoring.ballots',
        target: `plan:${params.planId}`,
        summary: clipSummary(`Ghi kết quả bỏ phiếu suy tôn: ${tally.ballotsCast} phiếu hợp lệ; đồng ý: ${votes || '(không có)'}.`),
      },
    };
  },

  FreezeScores: async ({ params, body, principal }) => {
    const changed = await changeLock(deps, { ...params, by: actorOf(principal).id, type: 'freeze', note: body.note });
    return { body: { lock: changed.state.lock }, audit: { action: changed.action, target: `plan:${params.planId}`, summary: changed.summary } };
  },

  UnlockScores: async ({ params, body, principal }) => {
    const changed = await changeLock(deps, { ...params, by: actorOf(principal).id, type: 'unlock', reason: body.reason });
    return { body: { lock: changed.state.lock }, audit: { action: changed.action, target: `plan:${params.planId}`, summary: changed.summary } };
  },
});
