import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOARD_CELL_STATUSES, BoardSchema } from '../../shared/http/admin-api';
import { MilestoneSchema, PlanSchema, UnitSchema, UNIT_ROLES, type Milestone, type Unit, type UnitRole } from '../../shared/domain/model';
import type { Extension, Submission } from '../../shared/domain/submission';
import { BOARD_STATUS_LABELS, assembleBoard, cellStatus, type BoardInput } from '../../shared/use-cases/board';
import { numberedUploadId, submissionRecord } from '../support/records';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const C = 'cum-thu';
const P = '2021-2022';
const plan = PlanSchema.parse({ clusterId: C, planId: P, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch' });

const unit = (unitId: string, name: string, role: UnitRole = 'thanh-vien', extra: Partial<Unit> = {}): Unit =>
  UnitSchema.parse({ clusterId: C, unitId, name, role, emails: [`${unitId}@example.com`], ...extra });

const milestone = (milestoneId: string, order: number, due: string | undefined, extra: Record<string, unknown> = {}): Milestone =>
  MilestoneSchema.parse({
    clusterId: C,
    planId: P,
    milestoneId,
    order,
    kind: 'report',
    title: `Mốc ${milestoneId}`,
    due: due ? { type: 'date', date: due, rule: 'by' } : { type: 'month', month: '2022-05' },
    document: { title: `Tài liệu ${milestoneId}`, from: { type: 'all' }, recipients: ['cum-truong'] },
    ...extra,
  });

let uploadSeq = 0;
const submission = (unitId: string, milestoneId: string, receivedAt: string, late: boolean, outcome: Submission['outcome'] = 'accepted'): Submission =>
  submissionRecord({ clusterId: C, planId: P, milestoneId, unitId, receivedAt, late, outcome, uploadId: numberedUploadId(++uploadSeq), fileName: `${unitId}.pdf`, size: 1000 });
const extension = (unitId: string, milestoneId: string, until: string): Extension => ({
  clusterId: C,
  planId: P,
  milestoneId,
  unitId,
  until,
  grantedAt: '2021-11-20T00:00:00.000Z',
});

describe('the board on a known day (25/11/2021 09:00 ICT)', () => {
  const now = ict('2021-11-25T09:00:00');
  const units = [
    unit('zeta', 'Zeta'),
    unit('pho', 'Phó', 'cum-pho'),
    unit('an', 'Ân'),
    unit('truong', 'Trưởng', 'cum-truong'),
    unit('cu', 'Cũ', 'thanh-vien', { active: false }),
  ];
  const milestones = [
    milestone('sau', 2, '2021-12-10'),
    milestone('truoc', 1, '2021-11-20', { cutoffDate: '2021-11-22' }),
    milestone('khong-tai-lieu', 0, '2021-11-30', { document: undefined }),
    milestone('chi-truong', 3, '2021-11-24', { document: { title: 'Riêng', from: { type: 'roles', roles: ['cum-truong'] }, recipients: ['cdvc-tinh'] } }),
    milestone('thang', 4, undefined),
  ];
  const input: BoardInput = {
    plan,
    milestones,
    units,
    submissions: [
      submission('truong', 'truoc', '2021-11-19T10:00:00+07:00', false),
      submission('truong', 'truoc', '2021-11-21T10:00:00+07:00', true),
      submission('pho', 'truoc', '2021-11-21T10:00:00+07:00', true),
      submission('an', 'sau', '2021-11-24T10:00:00+07:00', false, 'quarantined'),
    ],
    extensions: [extension('an', 'truoc', '2021-11-30'), extension('zeta', 'truoc', '2021-11-23'), extension('an', 'chi-truong', '2021-12-01')],
    now,
  };
  const board = assembleBoard(input);
  const status = (unitId: string, milestoneId: string) => board.cells.find((c) => c.unitId === unitId && c.milestoneId === milestoneId);

  it('matches the API schema', () => {
    expect(() => BoardSchema.parse(board)).not.toThrow();
    expect(board.asOf).toBe('2021-11-25T02:00:00.000Z');
  });

  it('has the document milestones in plan order and the active units head, deputy, then members by name', () => {
    expect(board.milestones.map((m) => m.milestoneId)).toEqual(['truoc', 'sau', 'chi-truong', 'thang']);
    expect(board.units.map((u) => u.unitId)).toEqual(['truong', 'pho', 'an', 'zeta']);
    expect(board.milestones[0]).toMatchObject({ title: 'Mốc truoc', documentTitle: 'Tài liệu truoc', dueLabel: 'đến hết ngày 20/11/2021', kind: 'report' });
    expect(board.cells.map((c) => `${c.unitId}/${c.milestoneId}`).slice(0, 5)).toEqual(['truong/truoc', 'truong/sau', 'truong/chi-truong', 'truong/thang', 'pho/truoc']);
  });

  it('gives each cell its status, label, extension and versions newest first', () => {
    expect(status('truong', 'truoc')).toMatchObject({ status: 'on-time', statusLabel: 'Đã nộp đúng hạn' });
    expect(status('truong', 'truoc')?.versions.map((v) => v.late)).toEqual([true, false]);
    expect(status('truong', 'truoc')?.versions[0]).toEqual({
      uploadId: expect.any(String),
      fileName: 'truong.pdf',
      sizeBytes: 1000,
      receivedAt: '2021-11-21T03:00:00.000Z',
      late: true,
    });
    expect(status('pho', 'truoc')).toMatchObject({ status: 'late', statusLabel: 'Nộp muộn' });
    // Past the cut-off (22/11) with nothing sent: locked; an extension to 30/11 still running: extended.
    expect(status('an', 'truoc')).toMatchObject({ status: 'extended', statusLabel: 'Được gia hạn', extendedUntil: '2021-11-30' });
    // Its extension ended on 23/11 and the cut-off moved with it (to 25/11): missing, not locked yet.
    expect(status('zeta', 'truoc')).toMatchObject({ status: 'missing', statusLabel: 'Chưa nộp', extendedUntil: '2021-11-23' });
    // A quarantined file does not count as sent.
    expect(status('an', 'sau')).toMatchObject({ status: 'not-due', statusLabel: 'Chưa đến hạn', versions: [] });
    expect(status('truong', 'chi-truong')).toMatchObject({ status: 'missing' });
    expect(status('an', 'chi-truong')).toEqual({ unitId: 'an', milestoneId: 'chi-truong', status: 'not-required', statusLabel: 'Không yêu cầu', versions: [] });
    expect(status('pho', 'thang')).toMatchObject({ status: 'open', statusLabel: 'Chưa nộp' });
  });

  it('counts per milestone and per unit, every status present', () => {
    const zero = Object.fromEntries(BOARD_CELL_STATUSES.map((s) => [s, 0]));
    expect(board.milestones.find((m) => m.milestoneId === 'truoc')?.counts).toEqual({ ...zero, 'on-time': 1, late: 1, extended: 1, missing: 1 });
    expect(board.milestones.find((m) => m.milestoneId === 'chi-truong')?.counts).toEqual({ ...zero, missing: 1, 'not-required': 3 });
    expect(board.units.find((u) => u.unitId === 'an')?.counts).toEqual({ ...zero, extended: 1, 'not-due': 1, 'not-required': 1, open: 1 });
  });

  it('a unit that sent during its extension is on time, and keeps showing the extension', () => {
    const sent = assembleBoard({ ...input, submissions: [submission('an', 'truoc', '2021-11-24T10:00:00+07:00', false)] });
    expect(sent.cells.find((c) => c.unitId === 'an' && c.milestoneId === 'truoc')).toMatchObject({ status: 'on-time', extendedUntil: '2021-11-30' });
  });
});

describe('cellStatus', () => {
  const m = milestone('m', 0, '2021-12-10');
  const u = unit('u', 'U');
  it('is extended only while the extension runs and nothing was sent', () => {
    const ext = { until: '2021-12-15' };
    expect(cellStatus(plan, m, u, [], ext, ict('2021-12-15T23:59:59'))).toBe('extended');
    expect(cellStatus(plan, m, u, [], ext, ict('2021-12-16T00:00:00'))).toBe('missing');
    expect(cellStatus(plan, m, u, [{ receivedAt: '2021-12-12T00:00:00.000Z', late: false }], ext, ict('2021-12-13T00:00:00'))).toBe('on-time');
    expect(cellStatus(plan, m, u, [], undefined, ict('2021-12-10T23:59:59'))).toBe('not-due');
    expect(cellStatus(plan, m, unit('x', 'X', 'thanh-vien', { active: false }), [], undefined, ict('2021-12-01T00:00:00'))).toBe('not-required');
  });
});

// ---- Properties -------------------------------------------------------------------------------------------------

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const day = fc.integer({ min: 0, max: 60 }).map((d) => new Date(Date.UTC(2021, 10, 1 + d)).toISOString().slice(0, 10));

const boardInput: fc.Arbitrary<BoardInput> = fc
  .record({ unitCount: fc.integer({ min: 0, max: 12 }), milestoneCount: fc.integer({ min: 0, max: 8 }) })
  .chain(({ unitCount, milestoneCount }) => {
    const unitIds = ids('u', unitCount);
    const milestoneIds = ids('m', milestoneCount);
    const units = fc.tuple(
      ...unitIds.map((id) =>
        fc.record({ role: fc.constantFrom(...UNIT_ROLES), active: fc.boolean(), name: fc.string({ minLength: 1, maxLength: 6 }) }).map((r) => unit(id, `${r.name}x`, r.role, { active: r.active })),
      ),
    );
    const milestones = fc.tuple(
      ...milestoneIds.map((id) =>
        fc
          .record({
            due: fc.option(day, { nil: undefined }),
            hasDocument: fc.boolean(),
            from: fc.constantFrom<Record<string, unknown>>({ type: 'all' }, { type: 'roles', roles: ['cum-pho'] }, { type: 'units', unitIds: unitIds.slice(0, 2).concat('u-x') }, { type: 'proposed-for-award' }),
            cutoff: fc.option(day, { nil: undefined }),
            order: fc.nat(20),
          })
          .map((r) =>
            milestone(id, r.order, r.due, {
              document: r.hasDocument ? { title: 'T', from: r.from, recipients: ['cum-truong'] } : undefined,
              ...(r.due && r.cutoff && r.cutoff >= r.due ? { cutoffDate: r.cutoff } : {}),
            }),
          ),
      ),
    );
    const pair = fc.record({ unitId: fc.constantFrom('u-0', ...unitIds), milestoneId: fc.constantFrom('m-0', ...milestoneIds) });
    const submissions = fc.array(
      fc.record({ at: day, late: fc.boolean(), quarantined: fc.boolean(), p: pair }).map((s) => submission(s.p.unitId, s.p.milestoneId, `${s.at}T08:00:00+07:00`, s.late, s.quarantined ? 'quarantined' : 'accepted')),
      { maxLength: 30 },
    );
    const extensions = fc
      .uniqueArray(fc.record({ p: pair, until: day }), { selector: (e) => `${e.p.unitId}/${e.p.milestoneId}`, maxLength: 10 })
      .map((list) => list.map((e) => extension(e.p.unitId, e.p.milestoneId, e.until)));
    return fc.record({ units, milestones, submissions, extensions, now: day.map((d) => ict(`${d}T09:00:00`)) }).map((r) => ({ ...r, plan }));
  });

describe('assembleBoard (properties)', () => {
  it('one cell per active unit and document milestone; each counted once in its row and once in its column', () => {
    fc.assert(
      fc.property(boardInput, (input) => {
        const board = assembleBoard(input);
        const rows = input.units.filter((u) => u.active).length;
        const columns = input.milestones.filter((m) => m.document).length;
        expect(board.units).toHaveLength(rows);
        expect(board.milestones).toHaveLength(columns);
        expect(board.cells).toHaveLength(rows * columns);
        expect(new Set(board.cells.map((c) => `${c.unitId}/${c.milestoneId}`)).size).toBe(rows * columns);

        const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
        for (const m of board.milestones) {
          expect(sum(m.counts)).toBe(rows);
          for (const s of BOARD_CELL_STATUSES) expect(m.counts[s]).toBe(board.cells.filter((c) => c.milestoneId === m.milestoneId && c.status === s).length);
        }
        for (const u of board.units) {
          expect(sum(u.counts)).toBe(columns);
          for (const s of BOARD_CELL_STATUSES) expect(u.counts[s]).toBe(board.cells.filter((c) => c.unitId === u.unitId && c.status === s).length);
        }
        expect(board.milestones.reduce((a, m) => a + sum(m.counts), 0)).toBe(rows * columns);
        expect(board.units.reduce((a, u) => a + sum(u.counts), 0)).toBe(rows * columns);

        for (const cell of board.cells) {
          expect(cell.statusLabel).toBe(BOARD_STATUS_LABELS[cell.status]);
          // Versions are the accepted ones only, newest first, and a cell with a version is on time or late.
          const accepted = input.submissions.filter((s) => s.unitId === cell.unitId && s.milestoneId === cell.milestoneId && s.outcome === 'accepted');
          expect(cell.versions.map((v) => v.uploadId).sort()).toEqual(accepted.map((s) => s.uploadId).sort());
          expect([...cell.versions].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))).toEqual(cell.versions);
          if (cell.status !== 'not-required') expect(accepted.length > 0).toBe(cell.status === 'on-time' || cell.status === 'late');
          if (cell.status === 'extended') expect(cell.extendedUntil).toBeDefined();
        }
      }),
      { numRuns: 200 },
    );
  });
});
