/** The file store (S3 in AWS, s3rver locally). Keys are always made by the server. */
export interface PresignedUpload {
  /** Where the browser POSTs the multipart form. */
  url: string;
  /** Form fields to send before the file, in this order. */
  fields: Record<string, string>;
}

export interface InspectedObject {
  size: number;
  /** Hex SHA-256 of the whole object. */
  sha256: string;
  /** The first bytes, for checking the real file type. */
  head: Uint8Array;
}

export interface FileStore {
  /** A browser-usable POST form for exactly `key`, of `contentType`, 1..maxBytes bytes, valid `expiresInSeconds`. */
  presignUpload(key: string, options: { contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<PresignedUpload>;
  /** Reads the object once: its size, SHA-256 and first `headBytes` bytes; undefined if it does not exist. */
  inspect(key: string, options: { headBytes: number }): Promise<InspectedObject | undefined>;
  /**
   * Copies the object to `toKey`, then removes the original (the bucket keeps versions in AWS). Returns false when
   * there is nothing at `key` (already moved), so a repeated move is harmless.
   */
  move(key: string, toKey: string): Promise<boolean>;
  /** A short-lived GET URL that downloads as an attachment with `contentDisposition`. */
  presignDownload(key: string, options: { contentDisposition: string; expiresInSeconds: number }): Promise<string>;
  /** The origin the browser uploads to, for the page's Content-Security-Policy. */
  readonly uploadOrigin: string;
}
