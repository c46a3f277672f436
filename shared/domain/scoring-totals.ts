/**
 * A unit's totals (self vs verified, per group), and the ranking of the cluster's units.
 *
 * All sums in hundredths (./scoring-points.ts). The total is clamped to [0, base + bonus cap]:
 * - the ceiling cannot be reached by valid input anyway (criteria within their maxima, bonus capped), so clamping each
 *   criterion to its maximum only guards against a sheet stored under an older scheme version;
 * - the floor: deductions beyond what a unit earned are not carried below zero (a negative standing means nothing to
 *   an award and would only reorder the units at the bottom); `floored` says when it happened.
 */
import type { PointSource, TieBreak } from './scoring-labels';
import { fromCenti, sumCenti, toCenti, type Centi } from './scoring-points';
import { groupCode } from './scoring-labels';
import { bandOf, criteriaById, type Band, type ScoringScheme } from './scoring-scheme';
import type { SelfScoreSheet, Verification, VoteTally } from './scoring-sheets';
import type { DeductionTotal } from './scoring-deductions';

export interface CriterionResult {
  criterionId: string;
  code: string;
  title: string;
  maximum: number;
  /** From the submitted sheet. */
  self?: number;
  verified?: number;
  /** What counts: verified, else self, else 0. */
  final: number;
  source: PointSource;
  /** verified − self, when both exist and differ: the differences the conference reconciles. */
  difference?: number;
  justification?: string;
  evidenceUploadId?: string;
  comment?: string;
}

export interface GroupResult {
  groupId: string;
  /** "I", "II" … */
  code: string;
  title: string;
  maximum: number;
  self: number;
  /** Verified where verified, self elsewhere (see `fullyVerified`). */
  verified: number;
  fullyVerified: boolean;
  criteria: CriterionResult[];
}

export interface UnitScore {
  unitId: string;
  selfScoreStatus: 'none' | SelfScoreSheet['status'];
  groups: GroupResult[];
  /** Sums of the groups, before bonus and deductions. */
  selfBase: number;
  base: number;
  bonus: {
    /** The unit's claim, capped. */
    self: number;
    /** Verified per item where verified, self elsewhere, capped. */
    final: number;
    cap: number;
    capped: boolean;
  };
  deductions: DeductionTotal;
  /** selfBase + self bonus − deductions, clamped: what the unit's own sheet gives. */
  selfTotal: number;
  /** base + final bonus − deductions, clamped. */
  total: number;
  band: Band;
  floored: boolean;
  /** Every criterion and every claimed bonus item has a verified entry. */
  fullyVerified: boolean;
  /** Codes of the criteria still counted at the unit's own points ("2.1"). */
  selfFallbacks: string[];
}

const clamp = (centi: Centi, min: Centi, max: Centi): Centi => Math.min(max, Math.max(min, centi));

/**
 * One unit's score. A draft sheet counts for nothing (it is the unit's work in progress); verified points replace
 * the unit's criterion by criterion. The deductions are the same in the self and verified totals, so the two differ
 * only by what was scored.
 */
export function scoreUnit(p: {
  scheme: ScoringScheme;
  unitId: string;
  sheet?: SelfScoreSheet;
  verification?: Verification;
  deductions: DeductionTotal;
}): UnitScore {
  const { scheme } = p;
  const submitted = p.sheet?.status === 'submitted' ? p.sheet : undefined;
  const selfCriteria = new Map((submitted?.criteria ?? []).map((c) => [c.criterionId, c]));
  const verifiedCriteria = new Map((p.verification?.criteria ?? []).map((c) => [c.criterionId, c]));
  const refs = criteriaById(scheme);
  const selfFallbacks: string[] = [];

  const groups = scheme.groups.map((group, gi): GroupResult => {
    const criteria = group.criteria.map((criterion): CriterionResult => {
      const max = toCenti(criterion.maximum);
      const own = selfCriteria.get(criterion.id);
      const check = verifiedCriteria.get(criterion.id);
      const self = own ? clamp(toCenti(own.points), 0, max) : undefined;
      const verified = check ? clamp(toCenti(check.points), 0, max) : undefined;
      const source: PointSource = verified !== undefined ? 'verified' : self !== undefined ? 'self' : 'none';
      if (source !== 'verified') selfFallbacks.push(refs.get(criterion.id)!.code);
      return {
        criterionId: criterion.id,
        code: refs.get(criterion.id)!.code,
        title: criterion.title,
        maximum: criterion.maximum,
        ...(self !== undefined ? { self: fromCenti(self) } : {}),
        ...(verified !== undefined ? { verified: fromCenti(verified) } : {}),
        final: fromCenti(verified ?? self ?? 0),
        source,
        ...(self !== undefined && verified !== undefined && self !== verified ? { difference: fromCenti(verified - self) } : {}),
        ...(own?.justification ? { justification: own.justification } : {}),
        ...(own?.evidenceUploadId ? { evidenceUploadId: own.evidenceUploadId } : {}),
        ...(check?.comment ? { comment: check.comment } : {}),
      };
    });
    return {
      groupId: group.id,
      code: groupCode(gi),
      title: group.title,
      maximum: group.maximum,
      self: fromCenti(sumCenti(criteria.map((c) => toCenti(c.self ?? 0)))),
      verified: fromCenti(sumCenti(criteria.map((c) => toCenti(c.final)))),
      fullyVerified: criteria.every((c) => c.source === 'verified'),
      criteria,
    };
  });

  const items = new Map(scheme.bonus.items.map((b) => [b.id, toCenti(b.maximum)]));
  const cap = toCenti(scheme.bonus.cap);
  const bonusOf = (entries: readonly { itemId: string; points: number }[]): Map<string, Centi> =>
    new Map(entries.filter((e) => items.has(e.itemId)).map((e) => [e.itemId, clamp(toCenti(e.points), 0, items.get(e.itemId)!)]));
  const selfBonus = bonusOf(submitted?.bonus ?? []);
  const verifiedBonus = bonusOf(p.verification?.bonus ?? []);
  const finalBonus = new Map([...selfBonus, ...verifiedBonus]);
  const selfBonusSum = sumCenti([...selfBonus.values()]);
  const finalBonusSum = sumCenti([...finalBonus.values()]);

  const ceiling = toCenti(scheme.base) + cap;
  const deducted = toCenti(p.deductions.total);
  const selfBase = sumCenti(groups.map((g) => toCenti(g.self)));
  const base = sumCenti(groups.map((g) => toCenti(g.verified)));
  const rawSelf = selfBase + Math.min(selfBonusSum, cap) - deducted;
  const raw = base + Math.min(finalBonusSum, cap) - deducted;
  const total = clamp(raw, 0, ceiling);

  return {
    unitId: p.unitId,
    selfScoreStatus: p.sheet?.status ?? 'none',
    groups,
    selfBase: fromCenti(selfBase),
    base: fromCenti(base),
    bonus: { self: fromCenti(Math.min(selfBonusSum, cap)), final: fromCenti(Math.min(finalBonusSum, cap)), cap: scheme.bonus.cap, capped: finalBonusSum > cap },
    deductions: p.deductions,
    selfTotal: fromCenti(clamp(rawSelf, 0, ceiling)),
    total: fromCenti(total),
    band: bandOf(scheme, fromCenti(total)),
    floored: raw < 0,
    fullyVerified: selfFallbacks.length === 0 && [...selfBonus.keys()].every((k) => verifiedBonus.has(k)),
    selfFallbacks,
  };
}

/** How two neighbours with equal totals were told apart: a tie-break of the scheme, or not at all. */
export type Separation = TieBreak | 'unresolved';

export interface RankedUnit extends UnitScore {
  /** 1..n, a total order: what tables are sorted by. */
  position: number;
  /** Xếp hạng as shown: units still tied after every tie-break share the rank of the first of them. */
  rank: number;
  /** Ballots in favour, when a tally is recorded. */
  votes?: number;
}

export interface TieReport {
  /** The equal total. */
  total: number;
  /** In ranked order. */
  unitIds: string[];
  /** Between each unit and the next one. */
  steps: { above: string; below: string; by: Separation }[];
  /** Some neighbours are still tied: a vote (or a new tally) is needed to order them. */
  needsVote: boolean;
}

export interface Ranking {
  ranked: RankedUnit[];
  ties: TieReport[];
}

/**
 * Orders the units: total descending, then the scheme's tie-breaks in order (bonus descending, deductions
 * ascending, ballots in favour descending: only once a tally is recorded), then unit id, so that the same inputs in
 * any order give the same ranking. The unit-id step orders but does not separate: such units share their rank and
 * the tie is reported as needing a vote.
 */
export function rankUnits(scheme: Pick<ScoringScheme, 'tieBreak'>, scores: readonly UnitScore[], tally?: VoteTally): Ranking {
  const votes = new Map((tally?.votes ?? []).map((v) => [v.unitId, v.count]));
  const votesOf = (unitId: string): number | undefined => (tally ? (votes.get(unitId) ?? 0) : undefined);
  const key: Record<TieBreak, (s: UnitScore) => number> = {
    bonus: (s) => -toCenti(s.bonus.final),
    'fewer-deductions': (s) => toCenti(s.deductions.total),
    vote: (s) => -(votesOf(s.unitId) ?? 0),
  };
  /** The first tie-break that tells a and b apart, with its sign; 0 when none does. */
  const separate = (a: UnitScore, b: UnitScore): [number, Separation] => {
    const byTotal = toCenti(b.total) - toCenti(a.total);
    if (byTotal !== 0) return [byTotal, 'unresolved'];
    for (const t of scheme.tieBreak) {
      if (t === 'vote' && !tally) continue;
      const d = key[t](a) - key[t](b);
      if (d !== 0) return [d, t];
    }
    return [0, 'unresolved'];
  };
  const sorted = [...scores].sort((a, b) => separate(a, b)[0] || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));

  const ranked: RankedUnit[] = [];
  sorted.forEach((s, i) => {
    const previous = ranked[i - 1];
    const rank = previous && separate(previous, s)[0] === 0 ? previous.rank : i + 1;
    const v = votesOf(s.unitId);
    ranked.push({ ...s, position: i + 1, rank, ...(v !== undefined ? { votes: v } : {}) });
  });

  const ties: TieReport[] = [];
  for (let i = 0; i < ranked.length; ) {
    let j = i + 1;
    while (j < ranked.length && toCenti(ranked[j]!.total) === toCenti(ranked[i]!.total)) j += 1;
    if (j - i > 1) {
      const group = ranked.slice(i, j);
      const steps = group.slice(1).map((below, k) => ({ above: group[k]!.unitId, below: below.unitId, by: separate(group[k]!, below)[1] }));
      ties.push({ total: ranked[i]!.total, unitIds: group.map((u) => u.unitId), steps, needsVote: steps.some((s) => s.by === 'unresolved') });
    }
    i = j;
  }
  return { ranked, ties };
}
