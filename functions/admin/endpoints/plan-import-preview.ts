/**
 * Plan import from the admin page, the reading half (function AdminImport): pasted text or a file (.docx, .md, .txt,
 * sent in base64) becomes proposed milestones. It saves nothing: it reads the cluster only, and the router writes no
 * audit entry for it (`changesNothing`).
 */
import { NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { formatBytesVi } from '../../../shared/domain/submission';
import { PLAN_IMPORT_UPLOAD_MAX_BYTES } from '../../../shared/http/admin-api';
import type { Implementations } from '../../../shared/http/admin-router';
import type { Repositories } from '../../../shared/ports/repositories';
import { proposeImportFromText, type ProposeImportOptions } from '../../../shared/use-cases/plan-import';
import { proposeImport } from '../../../shared/use-cases/plan-import-files';
import { clip } from '../../../shared/use-cases/plans';

type Impl = Implementations<'import'>;

/** The size of the file a base64 string holds, without decoding it. */
const decodedSize = (base64: string): number => Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);

function refuseLargeFile(fileName: string, bytes: number): never {
  throw new ValidationError(
    `Tệp "${clip(fileName, 80)}" quá lớn (${formatBytesVi(bytes)}): trang quản trị nhận tệp kế hoạch tối đa ${formatBytesVi(PLAN_IMPORT_UPLOAD_MAX_BYTES)} ` +
      '(giới hạn dung lượng một yêu cầu của máy chủ). Tệp Word lớn thường do hình ảnh: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản.',
    [{ field: 'file', message: `Tối đa ${formatBytesVi(PLAN_IMPORT_UPLOAD_MAX_BYTES)}` }],
  );
}

export const planImportPreviewEndpoints = (deps: { repos: Pick<Repositories, 'clusters'> }): Impl => ({
  PreviewPlanImport: async ({ params, body }) => {
    if (!(await deps.repos.clusters.get(params.clusterId))) throw new NotFoundError(`Không tìm thấy cụm "${params.clusterId}".`);
    const options: ProposeImportOptions = body.planId ? { schoolYear: { startYear: Number(body.planId.slice(0, 4)), endYear: Number(body.planId.slice(5)) } } : {};
    if (body.text !== undefined) return { body: { proposal: proposeImportFromText(body.text, options) } };
    const fileName = body.fileName ?? '';
    const content = body.contentBase64 ?? '';
    if (decodedSize(content) > PLAN_IMPORT_UPLOAD_MAX_BYTES) refuseLargeFile(fileName, decodedSize(content));
    return { body: { proposal: await proposeImport({ fileName, bytes: Buffer.from(content, 'base64') }, options) } };
  },
});
