/**
 * The plan import view's pure parts (web/admin/import-rules.ts): the file cap it checks before sending equals
 * the API's and fits Lambda's 6 MB request once in base64, and dues read as Vietnamese offices write them.
 */
import { describe, expect, it } from 'vitest';
import { PLAN_IMPORT_UPLOAD_MAX_BYTES } from '../../shared/http/admin-api';
import { UPLOAD_MAX_BYTES, dueLabel } from '../../web/admin/import-rules';

describe('the upload cap', () => {
  it("is the API's, and its base64 leaves room for the rest of the event under Lambda's 6 MB", () => {
    expect(UPLOAD_MAX_BYTES).toBe(PLAN_IMPORT_UPLOAD_MAX_BYTES);
    const base64 = 4 * Math.ceil(UPLOAD_MAX_BYTES / 3);
    expect(base64).toBe(5_592_408);
    // Headers, cookies and the request context are a few KB; keep well over 100 KB free.
    expect(6 * 1024 * 1024 - base64).toBeGreaterThan(600 * 1024);
  });
});

describe('dueLabel', () => {
  it('writes days dd/mm/yyyy with their rule, months mm/yyyy, and says when there is none', () => {
    expect(dueLabel({ type: 'date', date: '2021-12-10', rule: 'before' })).toBe('Trước ngày 10/12/2021');
    expect(dueLabel({ type: 'date', date: '2022-05-31', rule: 'by' })).toBe('Đến hết ngày 31/05/2022');
    expect(dueLabel({ type: 'month', month: '2021-08' })).toBe('Tháng 08/2021');
    expect(dueLabel({ type: 'none' })).toBe('Chưa có hạn');
  });
});
