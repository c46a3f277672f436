/**
 * Reading a plan file (.docx through mammoth, .md, .txt) into text, then into a proposal. Apart from
 * `plan-import.ts` so that mammoth is bundled only into the functions that read files (AdminImport, the CLI), not
 * into AdminApi, which confirms proposals.
 */
import { ValidationError } from '../domain/errors';
import type { PlanImportProposal } from '../domain/plan-import';
import { proposeMilestones } from '../domain/plan-import';
import { formatBytesVi } from '../domain/submission';
import { checkedText, type ProposeImportOptions } from './plan-import';
import { clip } from './plans';

/** A plan is a few pages of text; a Word file with a letterhead image stays well under this. */
export const PLAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const PLAN_IMPORT_EXTENSIONS = ['.docx', '.md', '.txt'] as const;

export interface PlanFile {
  fileName: string;
  bytes: Uint8Array;
}

const extensionOf = (fileName: string): string => /\.[^./\\]+$/.exec(fileName.trim().toLowerCase())?.[0] ?? '';

function refuseType(fileName: string, extension: string): never {
  const hint =
    extension === '.doc'
      ? ' Tệp Word cũ (.doc): hãy mở bằng Word và lưu lại dưới dạng .docx.'
      : extension === '.pdf'
        ? ' Với tệp PDF: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản, hoặc dùng bản Word (.docx) của kế hoạch.'
        : '';
  throw new ValidationError(`Không đọc được tệp "${clip(fileName, 80)}": chỉ nhận kế hoạch dạng .docx, .md hoặc .txt.${hint}`, [
    { field: 'file', message: 'Chỉ nhận tệp .docx, .md hoặc .txt' },
  ]);
}

async function docxText(bytes: Uint8Array, fileName: string): Promise<string> {
  // Loaded on use: only the import needs it (cold starts of other functions stay as they are).
  const { default: mammoth } = await import('mammoth');
  try {
    return (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
  } catch {
    throw new ValidationError(`Không đọc được tệp Word "${clip(fileName, 80)}": tệp bị hỏng hoặc không phải .docx. Hãy mở bằng Word, lưu lại rồi thử lại.`, [
      { field: 'file', message: 'Tệp .docx không đọc được' },
    ]);
  }
}

function utf8Text(bytes: Uint8Array, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ValidationError(`Tệp "${clip(fileName, 80)}" không phải văn bản UTF-8. Hãy lưu lại với bảng mã UTF-8 (Unicode) rồi thử lại.`, [
      { field: 'file', message: 'Tệp văn bản phải dùng bảng mã UTF-8' },
    ]);
  }
}

/** The text of a plan file, refused with a Vietnamese ValidationError when it is not one we can read. */
export async function planTextOf(file: PlanFile): Promise<string> {
  const extension = extensionOf(file.fileName);
  if (!(PLAN_IMPORT_EXTENSIONS as readonly string[]).includes(extension)) refuseType(file.fileName, extension);
  if (file.bytes.byteLength > PLAN_IMPORT_MAX_BYTES) {
    throw new ValidationError(
      `Tệp "${clip(file.fileName, 80)}" quá lớn (${formatBytesVi(file.bytes.byteLength)}); kế hoạch nhập vào tối đa ${formatBytesVi(PLAN_IMPORT_MAX_BYTES)}.`,
      [{ field: 'file', message: `Tối đa ${formatBytesVi(PLAN_IMPORT_MAX_BYTES)}` }],
    );
  }
  const text = extension === '.docx' ? await docxText(file.bytes, file.fileName) : utf8Text(file.bytes, file.fileName);
  return checkedText(text);
}

/** A file to a proposal (nothing is saved). */
export async function proposeImport(file: PlanFile, options: ProposeImportOptions = {}): Promise<PlanImportProposal> {
  return proposeMilestones(await planTextOf(file), options);
}

