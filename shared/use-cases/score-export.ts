/**
 * Bảng tổng hợp kết quả chấm điểm thi đua as a file: the Excel workbook offices print (A4 landscape) or CSV. Same
 * reads as the scoring view (seven, whatever the number of units), then the pure mapping and rendering.
 */
import { ConflictError } from '../domain/errors';
import { renderScoreCsv } from '../views/score-csv';
import { renderScoreWorkbook } from '../views/score-workbook';
import { scoreTableView } from './score-table';
import { loadScoring, resultsOf, type ScoringDeps } from './scoring';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

export interface ScoreExport {
  fileName: string;
  contentType: string;
  body: Buffer;
}

export async function exportScores(deps: ScoringDeps, p: { clusterId: string; planId: string; format: ExportFormat }): Promise<ScoreExport> {
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  const result = resultsOf(ctx);
  if (!ctx.scheme || !result) throw new ConflictError('Kế hoạch này chưa có thang điểm nên chưa có bảng tổng hợp để tải.');
  const view = scoreTableView({
    cluster: ctx.cluster,
    plan: ctx.plan,
    scheme: ctx.scheme,
    result,
    milestones: ctx.milestones,
    units: ctx.units,
    generatedAt: ctx.now,
  });
  const body = p.format === 'xlsx' ? await renderScoreWorkbook(view) : Buffer.from(renderScoreCsv(view), 'utf8');
  const year = `${ctx.plan.schoolYear.startYear}-${ctx.plan.schoolYear.endYear}`;
  return {
    fileName: `Bảng tổng hợp chấm điểm thi đua ${ctx.cluster.name} năm học ${year}.${p.format}`.normalize('NFC'),
    contentType: EXPORT_CONTENT_TYPES[p.format],
    body,
  };
}
