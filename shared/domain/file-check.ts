/**
 * What a received file really is, judged from its first bytes, and whether that matches the type the unit declared
 * when it asked to upload. Pure: the caller reads the head of the object (up to the first 1 MiB, or the whole file
 * if smaller) and passes the bytes in.
 *
 * Detection rests on `file-type` (sindresorhus), which reads signatures and, for zip-based formats, walks the zip
 * local headers: it names ODF files from their `mimetype` first entry and OOXML files from `[Content_Types].xml`.
 * The one thing it cannot do from a head is an OOXML file written the LibreOffice way, where `[Content_Types].xml` is
 * the LAST entry: it then answers plain `application/zip` unless it is given the whole file. For that case only, this
 * module scans the zip local headers itself for the `word/`, `xl/` or `ppt/` parts (see {@link ooxmlFromZipEntries}).
 *
 * Polyglots: a file is judged by its LEADING signature, which is also what viewers and browsers go by. A PNG with a
 * PDF appended is a PNG (and is rejected when declared as PDF); a PDF with a zip appended is a PDF. We never claim a
 * file is harmless, only that it opens as the declared type.
 */
import { fileTypeFromBuffer } from 'file-type';
import { ALLOWED_FILE_TYPES, type AllowedFileType } from './submission';

/** What the first bytes of a file say it is. */
export interface DetectedType {
  /** Usual extension, as `file-type` names it: `pdf`, `png`, `docx`, `cfb` (old Office), `zip`, `gif`… */
  ext: string;
  /** MIME type of what was found; `application/x-cfb` for an OLE2 compound file (.doc, .xls, encrypted Office…). */
  mime: string;
  /** What was found, in Vietnamese, as it reads after "phát hiện:" (e.g. "ảnh PNG"). */
  label: string;
  /** Who recognised it: the `file-type` library, or this module's zip local-header scan. */
  source: 'file-type' | 'zip-scan';
}

/** Outcome of {@link checkDeclaredType}: the detected MIME type, or a Vietnamese sentence saying what is wrong. */
export type DeclaredTypeCheck = { ok: true; detected: string } | { ok: false; reason: string };

const CFB_MIME = 'application/x-cfb';
const ZIP_MIME = 'application/zip';
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX_MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const ODT_MIME = 'application/vnd.oasis.opendocument.text';
const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

/**
 * Detected MIME types each declared type accepts.
 * `.doc` and `.xls` are both OLE2 compound files (CFB); telling them apart means reading the CFB directory (a
 * `WordDocument` vs a `Workbook` stream), which the head does not always hold, so either declaration accepts any CFB.
 * An APNG is a PNG by design (viewers without APNG support show its first frame), so it passes as PNG.
 */
const ACCEPTED: Record<AllowedFileType, readonly string[]> = {
  'application/pdf': ['application/pdf'],
  'application/msword': [CFB_MIME],
  [DOCX_MIME]: [DOCX_MIME],
  'application/vnd.ms-excel': [CFB_MIME],
  [XLSX_MIME]: [XLSX_MIME],
  [ODT_MIME]: [ODT_MIME],
  [ODS_MIME]: [ODS_MIME],
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png', 'image/apng'],
};

/** Vietnamese names of what may be found; anything else reads "tệp GIF (image/gif)". */
const FOUND_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'ảnh JPG',
  'image/png': 'ảnh PNG',
  'image/apng': 'ảnh PNG động (APNG)',
  [DOCX_MIME]: 'Word (.docx)',
  [XLSX_MIME]: 'Excel (.xlsx)',
  [PPTX_MIME]: 'PowerPoint (.pptx)',
  [ODT_MIME]: 'OpenDocument văn bản (.odt)',
  [ODS_MIME]: 'OpenDocument bảng tính (.ods)',
  [CFB_MIME]: 'tài liệu Office định dạng cũ (.doc, .xls, .ppt) hoặc tệp Office có đặt mật khẩu',
  [ZIP_MIME]: 'tệp nén ZIP, không phải tài liệu Word, Excel hay OpenDocument',
  'image/gif': 'ảnh GIF',
  'image/webp': 'ảnh WebP',
  'image/heic': 'ảnh HEIC',
  'image/heif': 'ảnh HEIF',
  'image/bmp': 'ảnh BMP',
  'image/tiff': 'ảnh TIFF',
  'application/x-rar-compressed': 'tệp nén RAR',
  'application/x-7z-compressed': 'tệp nén 7z',
  'application/x-msdownload': 'tệp chương trình (.exe)',
};

const UNRECOGNISED = 'Không nhận dạng được nội dung tệp; chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG.';

function labelOf(ext: string, mime: string): string {
  return FOUND_LABELS[mime] ?? `tệp ${ext.toUpperCase()} (${mime})`;
}

/** The declared type as it reads inside a sentence: "PDF", "Word (.docx)", "ảnh JPG". */
function declaredLabel(declared: AllowedFileType): string {
  return ALLOWED_FILE_TYPES[declared].label.replace(/^Ảnh/, 'ảnh');
}

/**
 * What the first bytes of a file are.
 *
 * @param head The first bytes of the file: up to the first 1 MiB, or the whole file if smaller. Signatures need
 *   only a few bytes (PDF 4, JPEG 3, PNG 16 to check the IHDR chunk, CFB 8, ODF about 80); a Word/Excel-style
 *   OOXML needs its whole first entry `[Content_Types].xml` (a few hundred bytes), a LibreOffice-style one needs the
 *   local headers up to its first `word/` or `xl/` entry (typically 1–3 KB).
 * @returns The type found, or `undefined` when nothing is recognised (plain text, random bytes, or bytes on which
 *   the parser failed: hostile input is treated as unrecognised, never as a crash).
 */
export async function detectFileType(head: Uint8Array): Promise<DetectedType | undefined> {
  let found: { ext: string; mime: string } | undefined;
  try {
    found = await fileTypeFromBuffer(head);
  } catch {
    return undefined;
  }
  if (!found) return undefined;
  if (found.mime === ZIP_MIME) {
    const ooxml = ooxmlFromZipEntries(head);
    if (ooxml) return { ...ooxml, label: labelOf(ooxml.ext, ooxml.mime), source: 'zip-scan' };
  }
  return { ext: found.ext, mime: found.mime, label: labelOf(found.ext, found.mime), source: 'file-type' };
}

/**
 * Whether the real bytes of a received file match the type the unit declared.
 *
 * Rules: an empty file is rejected; a CFB (OLE2) file matches a declared `.doc` or `.xls` (the two cannot be told
 * apart cheaply, see {@link ACCEPTED}); `.docx`, `.xlsx`, `.odt` and `.ods` must be exactly what was declared (a
 * `.docx` declared as `.xlsx` is rejected, and so is a zip that is none of them); PDF, JPG and PNG must match. The
 * file is judged by its leading signature (see the module comment on polyglots).
 *
 * @param declared The MIME type the unit declared for the upload.
 * @param head The first bytes of the file (up to 1 MiB, or all of it), as for {@link detectFileType}.
 * @param size The real size of the whole object in bytes.
 * @returns `{ ok: true, detected }` with the detected MIME type, or `{ ok: false, reason }` with a Vietnamese
 *   sentence shown to people, e.g. "Nội dung tệp không phải PDF như đã khai báo (phát hiện: ảnh PNG)."
 * @throws RangeError when `size` and `head` are inconsistent (a bug in the caller, not a property of the file).
 */
export async function checkDeclaredType(declared: AllowedFileType, head: Uint8Array, size: number): Promise<DeclaredTypeCheck> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Invalid file size: ${size}`);
  if (size === 0) return { ok: false, reason: 'Tệp rỗng (0 byte).' };
  if (head.length === 0 || head.length > size) {
    throw new RangeError(`The head (${head.length} bytes) must be the first bytes of the ${size}-byte file`);
  }
  const detected = await detectFileType(head);
  if (!detected) return { ok: false, reason: UNRECOGNISED };
  if (ACCEPTED[declared].includes(detected.mime)) return { ok: true, detected: detected.mime };
  return { ok: false, reason: `Nội dung tệp không phải ${declaredLabel(declared)} như đã khai báo (phát hiện: ${detected.label}).` };
}

const LOCAL_FILE_HEADER = 0x04034b50; // "PK\3\4"
const CENTRAL_DIRECTORY_HEADER = 0x02014b50; // "PK\1\2"
const DATA_DESCRIPTOR = 0x08074b50; // "PK\7\8"
const LOCAL_HEADER_LENGTH = 30;
const HAS_DATA_DESCRIPTOR = 0x0008; // general-purpose flag bit 3
const ZIP64_SIZE = 0xffffffff;

/** OOXML main-part folders; the first entry in one of them decides the type. */
const OOXML_FOLDERS: readonly (readonly [prefix: string, ext: string, mime: string])[] = [
  ['word/', 'docx', DOCX_MIME],
  ['xl/', 'xlsx', XLSX_MIME],
  ['ppt/', 'pptx', PPTX_MIME],
];

/**
 * The OOXML type of a zip from the names of its entries, reading local file headers from the start of `head`.
 * Used only when `file-type` says plain zip: OOXML does not fix the order of entries, and LibreOffice writes
 * `_rels/.rels`, `docProps/*`, then `word/*` or `xl/*`, with `[Content_Types].xml` last, beyond a 1 MiB head.
 *
 * Walks the local headers (APPNOTE 4.3.7): signature, flags at +6, compressed size at +18, name length at +26, extra
 * length at +28, name at +30, then the data. When flag bit 3 is set (LibreOffice, Java and other streaming writers)
 * the sizes in the local header are zero and come after the data in a data descriptor (12 bytes, or 16 with its
 * optional signature); the end of the data is found as the next header signature preceded by a descriptor whose
 * compressed size is exactly the distance covered. Stops at the central directory, at the end of `head`, at ZIP64
 * sizes (never needed for office files under our size limit) or at anything malformed, and then says nothing.
 */
function ooxmlFromZipEntries(head: Uint8Array): { ext: string; mime: string } | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const names = new TextDecoder('utf-8');
  let offset = 0;
  while (offset + LOCAL_HEADER_LENGTH <= head.length && view.getUint32(offset, true) === LOCAL_FILE_HEADER) {
    const flags = view.getUint16(offset + 6, true);
    const compressedSize = view.getUint32(offset + 18, true);
    const nameEnd = offset + LOCAL_HEADER_LENGTH + view.getUint16(offset + 26, true);
    if (nameEnd > head.length) return undefined;
    const name = names.decode(head.subarray(offset + LOCAL_HEADER_LENGTH, nameEnd));
    const folder = OOXML_FOLDERS.find(([prefix]) => name.startsWith(prefix));
    if (folder) return { ext: folder[1], mime: folder[2] };

    const dataStart = nameEnd + view.getUint16(offset + 28, true);
    if ((flags & HAS_DATA_DESCRIPTOR) !== 0) {
      const next = headerAfterDataDescriptor(view, dataStart);
      if (next === undefined) return undefined;
      offset = next;
    } else if (compressedSize === ZIP64_SIZE) {
      return undefined;
    } else {
      offset = dataStart + compressedSize;
    }
  }
  return undefined;
}

/** Offset of the header that follows an entry whose data starts at `dataStart` and ends with a data descriptor. */
function headerAfterDataDescriptor(view: DataView, dataStart: number): number | undefined {
  for (let at = dataStart + 12; at + 4 <= view.byteLength; at++) {
    const signature = view.getUint32(at, true);
    if (signature !== LOCAL_FILE_HEADER && signature !== CENTRAL_DIRECTORY_HEADER) continue;
    // Descriptor = [signature] crc32, compressed size, uncompressed size: the compressed size sits 8 bytes back.
    const compressedSize = view.getUint32(at - 8, true);
    const signed = at - 16 >= dataStart && view.getUint32(at - 16, true) === DATA_DESCRIPTOR;
    if (signed && compressedSize === at - 16 - dataStart) return at;
    if (compressedSize === at - 12 - dataStart) return at;
  }
  return undefined;
}
