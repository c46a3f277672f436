/**
 * The admin page's static files: the committed generated module matches a fresh build of web/admin/ (else: run
 * `npm run build:admin`), names carry the content hash, the precomputed brotli and gzip variants decode to the same
 * bytes, the bundle holds only the client's own code, stays within its size budget, and builds the DOM without
 * markup strings. The client's copies of label tables equal the domain's.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, buildAdminAssets, generatedModule, type AdminBuild } from '../../scripts/build-admin-assets';
import { BOARD_CELL_STATUSES } from '../../shared/http/admin-api';
import { ADMIN_SCRIPT, ADMIN_STYLES, type AdminAssetFile } from '../../shared/views/admin-assets.generated';
import { CELL_LABELS } from '../../web/admin/labels';

let fresh: AdminBuild;

beforeAll(async () => {
  fresh = await buildAdminAssets();
});

const STALE = 'shared/views/admin-assets.generated.ts is stale: run `npm run build:admin` and commit the result';

describe('the committed assets', () => {
  it('are what web/admin/ builds to today', () => {
    // Names are content hashes: equal names, equal files (compared as booleans to keep a failure's output short).
    expect(ADMIN_SCRIPT.name, STALE).toBe(fresh.script.name);
    expect(ADMIN_STYLES.name, STALE).toBe(fresh.styles.name);
    expect(ADMIN_SCRIPT.body === fresh.script.body && ADMIN_STYLES.body === fresh.styles.body, STALE).toBe(true);
    expect([ADMIN_SCRIPT.contentType, ADMIN_STYLES.contentType]).toEqual(['text/javascript; charset=utf-8', 'text/css; charset=utf-8']);
  });

  it('the generator writes a module of this exact shape (the committed file differs at most in compressed bytes)', () => {
    const committed = readFileSync(join(REPO_ROOT, 'shared/views/admin-assets.generated.ts'), 'utf8');
    // zlib versions may encode differently; everything else must be byte for byte what the generator writes.
    const withoutCompressed = (text: string) => text.replace(/^ {2}(br|gzip): ".*",$/gm, '  $1: "…",');
    expect(withoutCompressed(committed) === withoutCompressed(generatedModule(fresh)), STALE).toBe(true);
  });

  it.each([
    ['script', ADMIN_SCRIPT, /^app\.[0-9a-f]{12}\.js$/],
    ['styles', ADMIN_STYLES, /^app\.[0-9a-f]{12}\.css$/],
  ] as const)('%s: named by the SHA-256 of its content, brotli and gzip variants decode to the same bytes', (_, asset: AdminAssetFile, pattern) => {
    expect(asset.name).toMatch(pattern);
    const bytes = Buffer.from(asset.body, 'utf8');
    expect(asset.name.split('.')[1]).toBe(createHash('sha256').update(bytes).digest('hex').slice(0, 12));
    expect(brotliDecompressSync(Buffer.from(asset.br, 'base64')).equals(bytes)).toBe(true);
    expect(gunzipSync(Buffer.from(asset.gzip, 'base64')).equals(bytes)).toBe(true);
    expect(Buffer.from(asset.br, 'base64').length).toBeLessThan(bytes.length / 2);
  });

  it('stay within budget: script < 80 KB, style sheet < 15 KB (minified)', () => {
    const sizes = {
      script: Buffer.byteLength(ADMIN_SCRIPT.body),
      scriptGzip: Buffer.from(ADMIN_SCRIPT.gzip, 'base64').length,
      styles: Buffer.byteLength(ADMIN_STYLES.body),
      stylesGzip: Buffer.from(ADMIN_STYLES.gzip, 'base64').length,
    };
    console.log(`admin assets: ${JSON.stringify(sizes)}`);
    // 60 KB until the scoring views (Chấm điểm) came: they are about a third of the page (~23 KB gzip in all).
    expect(sizes.script).toBeLessThan(80 * 1024);
    expect(sizes.styles).toBeLessThan(15 * 1024);
  });
});

describe('the client bundle', () => {
  it('holds only web/admin/ code and the dependency-free label tables: no zod, no server module', () => {
    expect(fresh.scriptInputs.length).toBeGreaterThan(5);
    expect(fresh.scriptInputs.filter((p) => !p.startsWith('web/admin/')).sort()).toEqual(['shared/domain/labels.ts', 'shared/domain/scoring-labels.ts', 'shared/domain/scoring-points.ts']);
    expect(fresh.scriptInputs).toContain('web/admin/main.ts');
  });

  it('never turns strings into markup or code', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const files = sources(join(REPO_ROOT, 'web/admin'));
    expect(files.length).toBeGreaterThan(5);
    const forbidden = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval|Function)\s*[=(]|createContextualFragment|srcdoc/;
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(forbidden);
    expect(ADMIN_SCRIPT.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('has a short word for every status a board cell can have', () => {
    expect(Object.keys(CELL_LABELS).sort()).toEqual([...BOARD_CELL_STATUSES].sort());
  });
});
