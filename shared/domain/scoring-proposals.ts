/**
 * Đề xuất khen thưởng: the award quotas filled from the ranking, with the reason for every line, so the table the
 * conference reads explains itself ("Dẫn đầu cụm, 97,5 điểm, Xuất sắc"; "Không đủ điều kiện: chưa đăng ký thi đua").
 */
import { describeVoteRule } from './scoring-labels';
import { formatPercentVi, formatPointsVi } from './scoring-points';
import { bandAtLeast, type AwardQuota, type Band, type ScoringScheme } from './scoring-scheme';
import type { VoteTally } from './scoring-sheets';
import type { RegistrationStatus } from './scoring-deductions';
import type { Ranking, RankedUnit } from './scoring-totals';

export const NOT_REGISTERED_REASON = 'Không đủ điều kiện: chưa đăng ký thi đua';

export interface ProposalLine {
  unitId: string;
  position: number;
  rank: number;
  total: number;
  band: Band;
  registered: boolean;
  status: 'proposed' | 'not-proposed' | 'ineligible';
  award?: { award: string; label: string };
  reason: string;
  /** Further remarks: quotas the unit was passed over for, a pending vote, an unresolved tie. */
  notes: string[];
  /** Ballots recorded: in favour / cast. */
  votes?: { count: number; ballotsCast: number };
  /** The quota needs a suy tôn vote and no ballots are recorded yet: the proposal is provisional. */
  pendingVote: boolean;
  /** Tied with a unit that got a different outcome, and no tie-break told them apart: only a vote can settle it. */
  needsVote: boolean;
}

/** Whether `count` of `ballotsCast` reaches the scheme's threshold (compared in integers: no float drift). */
export function passesVote(rule: ScoringScheme['vote'], count: number, ballotsCast: number): boolean {
  const threshold = Math.round(rule.threshold * 10_000);
  const share = count * 10_000;
  return rule.comparison === 'more-than' ? share > threshold * ballotsCast : share >= threshold * ballotsCast;
}

const standing = (u: RankedUnit, tiedRank: boolean): string =>
  `${u.rank === 1 && !tiedRank ? 'Dẫn đầu cụm' : tiedRank ? `Đồng hạng ${u.rank}` : `Xếp thứ ${u.rank}`}, ${formatPointsVi(u.total)} điểm, ${u.band.label}`;

const capitalise = (s: string): string => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/**
 * Fills the quotas in the scheme's order. For each quota, going down the ranking, a unit is skipped when
 * - it already has an award (a unit gets one proposal: the highest it qualifies for),
 * - it did not register (the gate),
 * - its band is below the quota's minimum (it stays in the running for the next quota),
 * - ballots are recorded, the quota requires the vote, and its share does not reach the threshold.
 * Without recorded ballots a vote-requiring proposal is provisional (`pendingVote`).
 */
export function proposeAwards(p: {
  scheme: Pick<ScoringScheme, 'awards' | 'bands' | 'vote'>;
  ranking: Ranking;
  registration: ReadonlyMap<string, RegistrationStatus>;
  tally?: VoteTally;
  /** Unit names for the reasons; unit ids otherwise. */
  names?: ReadonlyMap<string, string>;
}): ProposalLine[] {
  const { scheme, ranking, tally } = p;
  const name = (unitId: string): string => p.names?.get(unitId) ?? unitId;
  const registered = (unitId: string): boolean => p.registration.get(unitId)?.registered ?? false;
  const votes = (u: RankedUnit): { count: number; ballotsCast: number } | undefined => (tally ? { count: u.votes ?? 0, ballotsCast: tally.ballotsCast } : undefined);
  const awarded = new Map<string, AwardQuota>();
  /** Per unit, per quota (by award id): why the unit was passed over for it. */
  const passedOver = new Map<string, Map<string, string>>();
  const note = (unitId: string, quota: AwardQuota, text: string): void => {
    passedOver.set(unitId, (passedOver.get(unitId) ?? new Map<string, string>()).set(quota.award, text));
  };

  for (const quota of scheme.awards) {
    let filled = 0;
    for (const u of ranking.ranked) {
      if (filled >= quota.count) break;
      if (awarded.has(u.unitId) || !registered(u.unitId)) continue;
      if (!bandAtLeast(scheme, u.band, quota.minBand)) {
        const min = scheme.bands.find((b) => b.id === quota.minBand)!;
        note(u.unitId, quota, `chưa đạt mức ${min.label} để đề nghị ${quota.label}`);
        continue;
      }
      const v = votes(u);
      if (v && quota.voteRequired && !passesVote(scheme.vote, v.count, v.ballotsCast)) {
        note(u.unitId, quota, `không đạt tỷ lệ phiếu suy tôn ${quota.label} (${v.count}/${v.ballotsCast} phiếu, ${formatPercentVi(v.count, v.ballotsCast)}; cần ${describeVoteRule(scheme.vote)})`);
        continue;
      }
      awarded.set(u.unitId, quota);
      filled += 1;
    }
  }

  const sharedRank = (u: RankedUnit): RankedUnit[] => ranking.ranked.filter((o) => o.rank === u.rank && o.unitId !== u.unitId);
  return ranking.ranked.map((u): ProposalLine => {
    const base = { unitId: u.unitId, position: u.position, rank: u.rank, total: u.total, band: u.band, registered: registered(u.unitId) };
    const v = votes(u);
    const tiedWith = sharedRank(u);
    if (!base.registered) {
      return { ...base, status: 'ineligible', reason: NOT_REGISTERED_REASON, notes: [], pendingVote: false, needsVote: false, ...(v ? { votes: v } : {}) };
    }
    const quota = awarded.get(u.unitId);
    // A still-tied neighbour (same rank, eligible) whose outcome differs: ordering them by id would decide an award.
    const contested = tiedWith.filter((o) => registered(o.unitId) && awarded.get(o.unitId)?.award !== quota?.award);
    const contestNote = contested.length > 0 ? [`Bằng điểm và chưa phân định được thứ hạng với ${contested.map((o) => name(o.unitId)).join(', ')}: cần bỏ phiếu`] : [];
    const notes = [...(passedOver.get(u.unitId)?.values() ?? [])].map(capitalise).concat(contestNote);
    const pendingVote = !!quota && quota.voteRequired && !tally;
    if (pendingVote) notes.push(`Chờ bỏ phiếu suy tôn (cần ${describeVoteRule(scheme.vote)})`);
    const tied = tiedWith.length > 0;
    if (quota) {
      const ballot = v && quota.voteRequired ? `, suy tôn ${v.count}/${v.ballotsCast} phiếu (${formatPercentVi(v.count, v.ballotsCast)})` : '';
      return {
        ...base,
        status: 'proposed',
        award: { award: quota.award, label: quota.label },
        reason: `${standing(u, tied)}${ballot}`,
        notes,
        pendingVote,
        needsVote: contested.length > 0,
        ...(v ? { votes: v } : {}),
      };
    }
    const why = notProposedBecause(scheme.awards, passedOver.get(u.unitId));
    return {
      ...base,
      status: 'not-proposed',
      reason: `${standing(u, tied)}; không đề nghị: ${why}`,
      notes: contestNote,
      pendingVote: false,
      needsVote: contested.length > 0,
      ...(v ? { votes: v } : {}),
    };
  });
}

/**
 * Why a registered unit got nothing: per quota, from the first one it was passed over for, that reason or "the quota
 * was full"; quotas filled before that are obvious and left out ("đã đủ chỉ tiêu khen thưởng" when none passed it over).
 */
function notProposedBecause(quotas: readonly AwardQuota[], skipped: ReadonlyMap<string, string> | undefined): string {
  if (quotas.length === 0) return 'thang điểm chưa có chỉ tiêu khen thưởng';
  const first = quotas.findIndex((q) => skipped?.has(q.award));
  if (first < 0) return 'đã đủ chỉ tiêu khen thưởng';
  return quotas.slice(first).map((q) => skipped!.get(q.award) ?? `đã đủ chỉ tiêu ${q.label}`).join('; ');
}

/** The unit ids proposed, for the award-dossier milestone's `proposed-for-award` selector. */
export const proposedUnitIds = (lines: readonly ProposalLine[]): string[] => lines.filter((l) => l.status === 'proposed').map((l) => l.unitId);
