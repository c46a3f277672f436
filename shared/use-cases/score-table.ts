/**
 * From the scoring results (computeScoring, shared/domain/scoring.ts) to the view the exports lay out
 * (ScoreTableView: the Excel workbook and the CSV). Pure: the caller loads the cluster, plan, scheme, milestones and
 * units, runs computeScoring and passes the clock's "now" as `generatedAt`, so the same inputs give the same file.
 *
 * What the table shows, per unit in ranked order: self vs verified points per criteria group, the verified bonus,
 * the deductions with a short text of their sources, the total, the rank (shared when a tie is unresolved), the band,
 * the proposed award and the proposal's reason.
 */
import type { Cluster, Milestone, Plan, Unit } from '../domain/model';
import {
  formatPointsVi,
  groupCode,
  sampleNoteOf,
  type AppliedDeduction,
  type ResultRow,
  type ScoringResults,
  type ScoringScheme,
} from '../domain/scoring';
import { ictDateOf, type LocalDate } from '../domain/time';
import type { ScoreGroupColumn, ScorePair, ScoreRow, ScoreTableView } from '../views/score-export-model';

/** The titles of the two signatures, as offices write them. */
export const PREPARED_BY_TITLE = 'NGƯỜI LẬP BẢNG';
export const HEAD_SIGNATURE_TITLE = 'TM. CỤM TRƯỞNG';

export interface ScoreTableParams {
  cluster: Pick<Cluster, 'name' | 'province'>;
  plan: Pick<Plan, 'title' | 'schoolYear' | 'issuedPlace' | 'signedBy'>;
  /** The scheme the results were computed with (its version must match theirs). */
  scheme: Pick<ScoringScheme, 'version' | 'groups' | 'bonus' | 'isSample' | 'sampleNote'>;
  result: ScoringResults;
  /** The plan's milestones: a deduction names the document asked for ("Báo cáo sơ kết 06 tháng đầu năm học"). */
  milestones: readonly Pick<Milestone, 'milestoneId' | 'document'>[];
  /**
   * The cluster's units: the head unit's contact person prepares the table ("NGƯỜI LẬP BẢNG") unless
   * `signing.preparedBy` says otherwise; the plan's signer (`plan.signedBy`, the Cụm trưởng) signs "TM. CỤM TRƯỞNG".
   */
  units: readonly Pick<Unit, 'role' | 'contactName' | 'active'>[];
  generatedAt: Date;
  signing?: {
    /** "Thanh Hóa"; the plan's place of issue by default. */
    place?: string;
    /** The day printed above the signatures; the ICT day of `generatedAt` by default. */
    date?: LocalDate;
    /** The name under "NGƯỜI LẬP BẢNG" ("" leaves it to be written by hand). */
    preparedBy?: string;
    /** The name under "TM. CỤM TRƯỞNG"; the head unit's contact name by default, else "" (written by hand). */
    signedBy?: string;
  };
}

/** The export's view of a year's scoring results. */
export function scoreTableView(p: ScoreTableParams): ScoreTableView {
  const { cluster, plan, scheme, result } = p;
  if (result.schemeVersion !== scheme.version) {
    // A programming error: the caller mixed a scheme with results computed under another version of it.
    throw new Error(`Scoring results are for scheme version ${result.schemeVersion}, not ${scheme.version}`);
  }
  const documents = new Map(p.milestones.map((m) => [m.milestoneId, m.document?.title]));
  const head = p.units.find((u) => u.active && u.role === 'cum-truong');
  const place = p.signing?.place ?? plan.issuedPlace;
  const note = sampleNoteOf(scheme);

  return {
    clusterName: cluster.name,
    provinceUnionName: cluster.province.name,
    schoolYearLabel: `${plan.schoolYear.startYear} - ${plan.schoolYear.endYear}`,
    planTitle: plan.title,
    groups: scheme.groups.map((g, i): ScoreGroupColumn => ({ id: g.id, shortTitle: `Nhóm ${groupCode(i)}`, maximum: g.maximum })),
    bonusCap: scheme.bonus.cap,
    rows: result.rows.map((r) => scoreRow(r, result.rows, documents)),
    isSample: scheme.isSample,
    sampleNote: note ?? '',
    signingPlaceDate: signingPlaceDate(place, p.signing?.date ?? ictDateOf(p.generatedAt)),
    signatures: {
      left: { titles: [PREPARED_BY_TITLE], name: p.signing?.preparedBy ?? head?.contactName ?? '' },
      right: { titles: [HEAD_SIGNATURE_TITLE], name: p.signing?.signedBy ?? plan.signedBy?.name ?? '' },
    },
    generatedAt: p.generatedAt.toISOString(),
  };
}

function scoreRow(r: ResultRow, all: readonly ResultRow[], documents: ReadonlyMap<string, string | undefined>): ScoreRow {
  return {
    unitName: r.name,
    points: Object.fromEntries(r.groups.map((g): [string, ScorePair] => [g.groupId, groupPair(g)])),
    bonus: r.bonus.final,
    deductions: { total: r.deductions.total, sources: deductionSources(r, documents) },
    total: r.total,
    rank: { position: r.rank, tied: all.some((o) => o.unitId !== r.unitId && o.rank === r.rank) },
    bandLabel: r.band.label,
    awardLabel: r.proposal.award?.label ?? '',
    note: r.proposal.reason,
  };
}

/**
 * Self: the sheet's points, null without a submitted sheet. Verified: null until some criterion of the group is
 * verified (an empty cell says "not yet verified", while the total counts the unit's own points); once some are, the
 * group's points as they count (verified where verified, self elsewhere).
 */
function groupPair(g: ResultRow['groups'][number]): ScorePair {
  return {
    self: g.criteria.some((c) => c.self !== undefined) ? g.self : null,
    verified: g.criteria.some((c) => c.source === 'verified') ? g.verified : null,
  };
}

/**
 * "Báo cáo sơ kết 06 tháng đầu năm học nộp muộn 3 ngày (−1)"; "Không nộp Báo cáo tổng kết năm học … (−3)"; lines
 * joined by "; ". The document's title rather than the milestone's: shorter, and without the year the table is for.
 * An override shows what the rule said ("(−1, điều chỉnh từ −3)"); the scheme's cap, when it bit, ends the text.
 */
export function deductionSources(r: Pick<ResultRow, 'deductions'>, documents: ReadonlyMap<string, string | undefined>): string {
  const parts = r.deductions.lines.map((line) => {
    const what = documents.get(line.milestoneId) ?? line.milestoneTitle;
    const text = line.reason === 'late' ? `${what} nộp muộn${line.daysLate ? ` ${line.daysLate} ngày` : ''}` : `Không nộp ${what}`;
    return `${text} (${appliedPoints(line)})`;
  });
  if (r.deductions.capped) parts.push(`trừ tối đa ${formatPointsVi(r.deductions.total)} điểm`);
  return parts.join('; ');
}

function appliedPoints(line: AppliedDeduction): string {
  const applied = line.applied > 0 ? `−${formatPointsVi(line.applied)}` : 'không trừ';
  return line.override ? `${applied}, điều chỉnh từ −${formatPointsVi(line.points)}` : applied;
}

/**
 * "Thanh Hóa, ngày 30 tháng 6 năm 2022" (Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 take a
 * leading zero, "ngày 05 tháng 02 năm 2022"); "Ngày …" when no place is known.
 */
export function signingPlaceDate(place: string | undefined, date: LocalDate): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = String(d).padStart(2, '0');
  const month = m <= 2 ? String(m).padStart(2, '0') : String(m);
  const when = `ngày ${day} tháng ${month} năm ${y}`;
  const where = place?.normalize('NFC').trim();
  return where ? `${where}, ${when}` : `N${when.slice(1)}`;
}
