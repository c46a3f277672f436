/**
 * Properties of scoring over arbitrary schemes and years (on the reference plan's milestones):
 * - a total never exceeds the base plus the bonus cap, nor goes below 0;
 * - the ranking is a total order, and the same inputs in any order give the same ranking and proposals;
 * - deductions follow the records: making a report late never raises a total; a missing report costs exactly what
 *   the scheme says; a late report never costs more than a missing one;
 * - the gate: no unregistered unit is ever proposed, and leaving them out changes nobody else's proposal;
 * - quotas, minimum bands and the vote threshold are respected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NOT_REGISTERED_REASON,
  ScoringSchemeSchema,
  TIE_BREAKS,
  bandAtLeast,
  bandOf,
  computeDeductions,
  computeScoring,
  hasAtMostTwoDecimals,
  passesVote,
  toCenti,
  type ScoringInput,
  type ScoringResults,
  type ScoringScheme,
  type SubmissionRecord,
  type VoteTally,
} from '../../shared/domain/scoring';
import type { Unit } from '../../shared/domain/model';
import { referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const NOW = ict('2022-06-20T09:00:00');
const REG = 'dang-ky-thi-dua';
/** The documents deducted under the generated schemes, with their last on-time day. */
const DOCS = [
  { milestoneId: 'bao-cao-so-ket-6-thang', lastDay: '2021-12-09' },
  { milestoneId: 'bao-cao-tong-ket-nam-hoc', lastDay: '2022-05-30' },
  { milestoneId: 'bang-tu-cham-diem', lastDay: '2022-05-30' },
] as const;

const arbScheme: fc.Arbitrary<ScoringScheme> = fc
  .record({
    groups: fc.array(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
    bonusCap: fc.integer({ min: 0, max: 1000 }),
    bonusItems: fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 3 }),
    report: fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 500 })),
    selfScore: fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 500 })),
    deductionCap: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    cuts: fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { maxLength: 3 }),
    tieBreak: fc.shuffledSubarray([...TIE_BREAKS]),
    flags: fc.integer({ min: 0, max: 2 }),
    flagMinBand: fc.boolean(),
    commendations: fc.integer({ min: 0, max: 4 }),
    voteRequired: fc.boolean(),
    threshold: fc.integer({ min: 0, max: 10_000 }),
    atLeast: fc.boolean(),
  })
  .map((r) => {
    const base = r.groups.flat().reduce((a, b) => a + b, 0);
    const ceiling = base + r.bonusCap;
    const minima = [...new Set(r.cuts.map((c) => Math.round((c * ceiling) / 1000)).filter((c) => c > 0 && c <= ceiling))].sort((a, b) => b - a);
    const bands = [...minima.map((m, i) => ({ id: `muc-${i}`, label: `Mức ${i}`, minimum: m / 100 })), { id: 'cuoi', label: 'Cuối', minimum: 0 }];
    const rule = (kind: string, [late, extra]: [number, number]) => ({ kind, late: late / 100, missing: (late + extra) / 100 });
    return ScoringSchemeSchema.parse({
      version: 1,
      base: base / 100,
      groups: r.groups.map((criteria, g) => ({
        id: `nhom-${g}`,
        title: `Nhóm ${g}`,
        maximum: criteria.reduce((a, b) => a + b, 0) / 100,
        criteria: criteria.map((max, c) => ({ id: `tc-${g}-${c}`, title: `Tiêu chí ${g}.${c}`, maximum: max / 100 })),
      })),
      bonus: { cap: r.bonusCap / 100, items: r.bonusItems.map((max, i) => ({ id: `thuong-${i}`, title: `Thưởng ${i}`, maximum: max / 100 })) },
      deductions: { rules: [rule('report', r.report), rule('self-score', r.selfScore)], ...(r.deductionCap !== undefined ? { cap: r.deductionCap / 100 } : {}) },
      bands,
      tieBreak: r.tieBreak,
      registrationMilestoneId: REG,
      awards: [
        { award: 'co', label: 'Cờ', count: r.flags, ...(r.flagMinBand ? { minBand: bands[0]!.id } : {}), voteRequired: r.voteRequired },
        { award: 'bang-khen', label: 'Bằng khen', count: r.commendations, voteRequired: r.voteRequired },
      ],
      vote: { threshold: r.threshold / 10_000, comparison: r.atLeast ? 'at-least' : 'more-than' },
    });
  });

/** Percentages of each maximum (over 100 to exercise clamping), indexed modulo their length. */
const arbUnitYear = fc.record({
  self: fc.array(fc.integer({ min: 0, max: 130 }), { minLength: 16, maxLength: 16 }),
  verified: fc.array(fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }), { minLength: 16, maxLength: 16 }),
  bonus: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 3, maxLength: 3 }),
  sheet: fc.constantFrom('submitted', 'submitted-late', 'draft', 'none'),
  docs: fc.array(fc.oneof(fc.constant<'on-time' | 'none'>('on-time'), fc.constant<'on-time' | 'none'>('none'), fc.integer({ min: 1, max: 40 })), { minLength: 3, maxLength: 3 }),
  registered: fc.boolean(),
  votes: fc.integer({ min: 0, max: 12 }),
});
type UnitYear = typeof arbUnitYear extends fc.Arbitrary<infer T> ? T : never;

const unitOf = (unitId: string): Unit => ({ ...referenceUnits[2]!, unitId, name: `Đơn vị ${unitId}` });
const pct = (max: number, p: number): number => Math.round((toCenti(max) * p) / 100) / 100;
const DAY = 86_400_000;

/** The records, sheets and verification of one unit, from its generated year. */
function yearOf(scheme: ScoringScheme, unitId: string, y: UnitYear) {
  const criteria = scheme.groups.flatMap((g) => g.criteria);
  const submissions: SubmissionRecord[] = [];
  if (y.registered) submissions.push({ unitId, milestoneId: REG, receivedAt: ict('2021-09-15T10:00:00').toISOString(), late: false, outcome: 'accepted' });
  DOCS.forEach((d, i) => {
    const doc = y.docs[i]!;
    if (doc === 'none') return;
    const at = doc === 'on-time' ? ict(`${d.lastDay}T10:00:00`) : new Date(ict(`${d.lastDay}T10:00:00`).getTime() + doc * DAY);
    submissions.push({ unitId, milestoneId: d.milestoneId, receivedAt: at.toISOString(), late: doc !== 'on-time', outcome: 'accepted' });
  });
  const key = { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', unitId, schemeVersion: scheme.version };
  const sheet =
    y.sheet === 'none'
      ? undefined
      : {
          ...key,
          criteria: criteria.map((c, i) => ({ criterionId: c.id, points: pct(c.maximum, y.self[i % 16]!) })),
          bonus: scheme.bonus.items.map((b, i) => ({ itemId: b.id, points: pct(b.maximum, y.bonus[i]!) })),
          ...(y.sheet === 'draft'
            ? { status: 'draft' as const }
            : { status: 'submitted' as const, submittedAt: ict(y.sheet === 'submitted' ? '2022-05-28T10:00:00' : '2022-06-02T10:00:00').toISOString() }),
        };
  const verification = {
    ...key,
    criteria: criteria.flatMap((c, i) => (y.verified[i % 16] === undefined ? [] : [{ criterionId: c.id, points: pct(c.maximum, y.verified[i % 16]!) }])),
    bonus: [],
    deductionOverrides: [],
  };
  return { submissions, sheet, verification };
}

function inputOf(scheme: ScoringScheme, years: readonly (readonly [string, UnitYear])[], withTally: boolean): ScoringInput {
  const parts = years.map(([id, y]) => ({ id, ...yearOf(scheme, id, y) }));
  const tally: VoteTally | undefined = withTally ? { ballotsCast: 12, votes: years.map(([unitId, y]) => ({ unitId, count: y.votes })) } : undefined;
  return {
    scheme,
    plan: referencePlan,
    milestones: referenceMilestones,
    units: years.map(([id]) => unitOf(id)),
    submissions: parts.flatMap((p) => p.submissions),
    extensions: [],
    sheets: parts.flatMap((p) => (p.sheet ? [p.sheet] : [])),
    verifications: parts.map((p) => p.verification),
    ...(tally ? { tally } : {}),
    now: NOW,
  };
}

const arbYears = fc
  .uniqueArray(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 8 })
  .chain((ids) => fc.tuple(...ids.map((n) => arbUnitYear.map((y) => [`don-vi-${n}`, y] as const))));

const arbCase = fc.record({ scheme: arbScheme, years: arbYears, withTally: fc.boolean() });

const summary = (r: ScoringResults) => r.rows.map((x) => [x.unitId, x.position, x.rank, x.total, x.proposal.status, x.proposal.award?.award, x.proposal.reason]);

describe('scoring properties', () => {
  it('a total never exceeds the base plus the bonus cap, never goes below 0, has two decimals at most, and has its band', () => {
    fc.assert(
      fc.property(arbCase, ({ scheme, years, withTally }) => {
        const ceiling = toCenti(scheme.base) + toCenti(scheme.bonus.cap);
        for (const r of computeScoring(inputOf(scheme, years, withTally)).rows) {
          for (const t of [r.total, r.selfTotal]) {
            expect(toCenti(t)).toBeLessThanOrEqual(ceiling);
            expect(t).toBeGreaterThanOrEqual(0);
            expect(hasAtMostTwoDecimals(t)).toBe(true);
          }
          expect(r.band).toEqual(bandOf(scheme, r.total));
          // The total is its parts: base + capped bonus − deductions, floored at 0.
          expect(toCenti(r.total)).toBe(Math.max(0, toCenti(r.base) + toCenti(r.bonus.final) - toCenti(r.deductions.total)));
          expect(r.floored).toBe(toCenti(r.base) + toCenti(r.bonus.final) < toCenti(r.deductions.total));
          expect(toCenti(r.bonus.final)).toBeLessThanOrEqual(toCenti(scheme.bonus.cap));
          for (const g of r.groups) expect(toCenti(g.verified)).toBeLessThanOrEqual(toCenti(g.maximum));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the ranking is a total order following total, then the tie-breaks, then unit id', () => {
    fc.assert(
      fc.property(arbCase, ({ scheme, years, withTally }) => {
        const { rows } = computeScoring(inputOf(scheme, years, withTally));
        expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i + 1));
        const keys = (r: (typeof rows)[number]): number[] => [
          -toCenti(r.total),
          ...scheme.tieBreak.flatMap((t) =>
            t === 'bonus' ? [-toCenti(r.bonus.final)] : t === 'fewer-deductions' ? [toCenti(r.deductions.total)] : withTally ? [-(r.votes ?? 0)] : [],
          ),
        ];
        for (let i = 1; i < rows.length; i += 1) {
          const [a, b] = [keys(rows[i - 1]!), keys(rows[i]!)];
          const firstDiff = a.findIndex((v, k) => v !== b[k]);
          if (firstDiff >= 0) {
            expect(a[firstDiff]!).toBeLessThan(b[firstDiff]!);
            expect(rows[i]!.rank).toBe(rows[i]!.position);
          } else {
            // Still tied after every tie-break: unit id orders them, and they share a rank.
            expect(rows[i - 1]!.unitId < rows[i]!.unitId).toBe(true);
            expect(rows[i]!.rank).toBe(rows[i - 1]!.rank);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the same inputs in any order give the same ranking and proposals', () => {
    fc.assert(
      fc.property(
        arbCase.chain((c) => fc.record({ c: fc.constant(c), shuffled: fc.shuffledSubarray([...c.years], { minLength: c.years.length, maxLength: c.years.length }) })),
        ({ c, shuffled }) => {
          const a = computeScoring(inputOf(c.scheme, c.years, c.withTally));
          const input = inputOf(c.scheme, shuffled, c.withTally);
          const b = computeScoring({ ...input, submissions: [...input.submissions].reverse(), verifications: [...input.verifications].reverse() });
          expect(summary(b)).toEqual(summary(a));
          expect(b.ties).toEqual(a.ties);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('units with equal inputs share a rank, in unit-id order, reported as needing a vote', () => {
    fc.assert(
      fc.property(arbScheme, arbUnitYear, fc.integer({ min: 2, max: 4 }), (scheme, y, copies) => {
        const ids = ['don-vi-z', 'don-vi-b', 'don-vi-m', 'don-vi-c'].slice(0, copies);
        const { rows, ties } = computeScoring(inputOf(scheme, ids.map((id) => [id, y] as const), false));
        expect(rows.map((r) => r.unitId)).toEqual([...ids].sort());
        expect(new Set(rows.map((r) => r.rank))).toEqual(new Set([1]));
        expect(ties).toEqual([{ total: rows[0]!.total, unitIds: [...ids].sort(), steps: expect.any(Array), needsVote: true }]);
        expect(ties[0]!.steps.every((s) => s.by === 'unresolved')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('deductions follow the records', () => {
  const docIndex = fc.integer({ min: 0, max: 1 }); // the two reports

  it('making a report late (or later) never raises any total', () => {
    fc.assert(
      fc.property(arbCase, fc.nat(), docIndex, fc.integer({ min: 1, max: 40 }), ({ scheme, years, withTally }, pick, d, days) => {
        const i = pick % years.length;
        const [id, y] = years[i]!;
        const current = y.docs[d]!;
        const later = current === 'none' ? undefined : current === 'on-time' ? days : current + days;
        if (later === undefined) return;
        const changed = years.map((entry, k) => (k === i ? ([id, { ...y, docs: y.docs.map((v, j) => (j === d ? later : v)) }] as const) : entry));
        const before = computeScoring(inputOf(scheme, years, withTally));
        const after = computeScoring(inputOf(scheme, changed, withTally));
        for (const r of after.rows) {
          expect(toCenti(r.total)).toBeLessThanOrEqual(toCenti(before.rows.find((b) => b.unitId === r.unitId)!.total));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a missing report costs exactly the scheme’s missing points; sent late instead, it costs the late points, never more', () => {
    fc.assert(
      fc.property(arbScheme, arbUnitYear, docIndex, fc.integer({ min: 1, max: 40 }), (scheme, y, d, days) => {
        const rule = scheme.deductions.rules.find((r) => r.kind === 'report')!;
        const withDoc = (v: 'on-time' | 'none' | number): UnitYear => ({ ...y, docs: y.docs.map((x, j) => (j === d ? v : x)) });
        const lines = (v: 'on-time' | 'none' | number) =>
          computeDeductions({ scheme, plan: referencePlan, milestones: referenceMilestones, unit: unitOf('don-vi-x'), submissions: yearOf(scheme, 'don-vi-x', withDoc(v)).submissions, extensions: [], now: NOW });
        const sum = (v: 'on-time' | 'none' | number) => lines(v).reduce((a, l) => a + toCenti(l.points), 0);
        expect(sum('none') - sum('on-time')).toBe(toCenti(rule.missing));
        expect(sum(days) - sum('on-time')).toBe(toCenti(rule.late));
        expect(sum(days)).toBeLessThanOrEqual(sum('none'));
        const missing = lines('none').find((l) => l.milestoneId === DOCS[d]!.milestoneId)!;
        expect(missing).toMatchObject({ reason: 'missing', points: rule.missing });
        expect(lines(days).find((l) => l.milestoneId === DOCS[d]!.milestoneId)).toMatchObject({ reason: 'late', points: rule.late, daysLate: days });
        // In the total: exactly the missing points, unless the deduction cap or the floor at 0 absorbs them.
        const total = (v: 'on-time' | 'none' | number) => computeScoring(inputOf(scheme, [['don-vi-x', withDoc(v)]], false)).rows[0]!;
        const [onTime, none] = [total('on-time'), total('none')];
        if (scheme.deductions.cap === undefined && !none.floored) expect(toCenti(onTime.total) - toCenti(none.total)).toBe(toCenti(rule.missing));
        expect(toCenti(none.total)).toBeLessThanOrEqual(toCenti(onTime.total));
      }),
      { numRuns: 150 },
    );
  });
});

describe('proposals', () => {
  it('the gate: no unregistered unit is proposed, each says why, and leaving them out changes no other proposal', () => {
    fc.assert(
      fc.property(arbCase, ({ scheme, years, withTally }) => {
        const all = computeScoring(inputOf(scheme, years, withTally));
        for (const r of all.rows.filter((x) => !x.registration.registered)) {
          expect(r.proposal.status).toBe('ineligible');
          expect(r.proposal.reason).toBe(NOT_REGISTERED_REASON);
          expect(r.proposal.award).toBeUndefined();
        }
        const registeredOnly = computeScoring(inputOf(scheme, years.filter(([, y]) => y.registered), withTally));
        const awards = (r: ScoringResults) => r.rows.filter((x) => x.registration.registered).map((x) => [x.unitId, x.proposal.award?.award ?? null]);
        expect(awards(all)).toEqual(awards(registeredOnly));
      }),
      { numRuns: 150 },
    );
  });

  it('quotas are never exceeded, minimum bands and (with ballots) the vote threshold are respected, one award per unit', () => {
    fc.assert(
      fc.property(arbCase, ({ scheme, years, withTally }) => {
        const { rows } = computeScoring(inputOf(scheme, years, withTally));
        for (const quota of scheme.awards) {
          const got = rows.filter((r) => r.proposal.award?.award === quota.award);
          expect(got.length).toBeLessThanOrEqual(quota.count);
          for (const r of got) {
            expect(r.registration.registered).toBe(true);
            expect(bandAtLeast(scheme, r.band, quota.minBand)).toBe(true);
            if (withTally && quota.voteRequired) expect(passesVote(scheme.vote, r.votes!, 12)).toBe(true);
            expect(r.proposal.pendingVote).toBe(!withTally && quota.voteRequired);
          }
          // A quota left short means no registered unit still without an award could take it.
          if (got.length < quota.count) {
            for (const r of rows.filter((x) => x.registration.registered && !x.proposal.award)) {
              const blocked = !bandAtLeast(scheme, r.band, quota.minBand) || (withTally && quota.voteRequired && !passesVote(scheme.vote, r.votes!, 12));
              expect(blocked).toBe(true);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the vote threshold compares exactly: more than half of 12 is 7, at least half is 6', () => {
    expect([5, 6, 7].map((n) => passesVote({ threshold: 0.5, comparison: 'more-than' }, n, 12))).toEqual([false, false, true]);
    expect([5, 6, 7].map((n) => passesVote({ threshold: 0.5, comparison: 'at-least' }, n, 12))).toEqual([false, true, true]);
    // 2/3 written 0.6667: 8 of 12 is 0.66666… which is not at least 0.6667.
    expect([8, 9].map((n) => passesVote({ threshold: 0.6667, comparison: 'at-least' }, n, 12))).toEqual([false, true]);
  });
});
