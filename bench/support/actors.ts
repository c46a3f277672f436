/**
 * The people of a simulated year, acting over HTTP on the local stack as their browsers would: a unit through its
 * signed link (page, upload straight to S3, upload state, self-scoring), the cluster head through the admin API
 * with the cluster's API key. Every answer is checked: an unexpected status stops the bench with its body.
 */
import type { ScoringScheme } from '../../shared/domain/scoring';

export interface Browser {
  apiUrl: string;
  /** Requests that went straight to S3 (presigned POSTs and downloads), which no handler's SDK client makes. */
  s3Requests: { put: number; get: number };
}

async function expectStatus(response: Response, expected: number, what: string): Promise<Response> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} (expected ${expected}) ${(await response.text()).slice(0, 300)}`);
  return response;
}

export class UnitActor {
  constructor(private readonly browser: Browser, readonly token: string) {}

  private url(path = ''): string {
    return `${this.browser.apiUrl}/u/${this.token}${path}`;
  }

  async openPage(): Promise<void> {
    await (await expectStatus(await fetch(this.url()), 200, 'member page')).text();
  }

  /** Asks for a presigned form and posts the file to S3 with it; the recorder runs on the object-created event. */
  async upload(milestoneId: string, fileName: string, bytes: Buffer): Promise<string> {
    const formResponse = await fetch(this.url('/uploads'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ milestoneId, fileName, contentType: 'application/pdf', size: bytes.length }),
    });
    const form = (await (await expectStatus(formResponse, 201, 'presign')).json()) as { url: string; fields: Record<string, string>; uploadId: string };
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), fileName);
    await expectStatus(await fetch(form.url, { method: 'POST', body }), 204, 'S3 POST');
    this.browser.s3Requests.put += 1;
    return form.uploadId;
  }

  /** What the page polls after an upload. */
  async uploadState(uploadId: string): Promise<string> {
    const response = await expectStatus(await fetch(this.url(`/uploads/${uploadId}`)), 200, 'upload state');
    return ((await response.json()) as { state: string }).state;
  }

  async openSelfScore(): Promise<void> {
    await (await expectStatus(await fetch(this.url('/self-score')), 200, 'self-score form')).text();
  }

  /** Saves a draft then submits it: each criterion at its maximum less `shortfall(i)` points. */
  async selfScore(scheme: ScoringScheme, shortfall: (i: number) => number): Promise<void> {
    const criteria = scheme.groups.flatMap((g) => g.criteria).map((c, i) => ({
      criterionId: c.id,
      points: Math.max(0, c.maximum - shortfall(i)),
      justification: 'Đã thực hiện theo kế hoạch (mô phỏng).',
    }));
    let expectedVersion = 0;
    for (const action of ['save', 'submit'] as const) {
      const response = await fetch(this.url('/self-score'), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action, expectedVersion, criteria }),
      });
      expectedVersion = ((await (await expectStatus(response, 200, `self-score ${action}`)).json()) as { version: number }).version;
    }
  }
}

export class HeadActor {
  constructor(
    private readonly browser: Browser,
    readonly clusterId: string,
    readonly planId: string,
    private readonly apiKey: string,
  ) {}

  private async call(method: string, path: string, expected: number, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.browser.apiUrl}/api/clusters/${this.clusterId}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return expectStatus(response, expected, `${method} ${path}`);
  }

  private plan(path = ''): string {
    return `/plans/${this.planId}${path}`;
  }

  async reconcileReminders(): Promise<void> {
    await (await this.call('POST', this.plan('/reminders/reconcile'), 200, {})).json();
  }

  async emailLink(unitId: string): Promise<void> {
    await (await this.call('POST', `/units/${unitId}/link/email`, 202, { planId: this.planId })).json();
  }

  /** The status board's JSON, and its size in bytes. */
  async board(): Promise<number> {
    return (await (await this.call('GET', this.plan('/board'), 200)).arrayBuffer()).byteLength;
  }

  /** Gets a download link and fetches the file from S3 with it. */
  async download(unitId: string, uploadId: string): Promise<void> {
    const { url } = (await (await this.call('GET', this.plan(`/units/${unitId}/submissions/${uploadId}/download`), 200)).json()) as { url: string };
    await expectStatus(await fetch(url), 200, 'S3 download');
    this.browser.s3Requests.get += 1;
  }

  async openSelfScoring(): Promise<void> {
    await (await this.call('POST', this.plan('/scoring/open'), 200, {})).json();
  }

  async scoring(): Promise<{ scheme: ScoringScheme }> {
    const view = (await (await this.call('GET', this.plan('/scoring'), 200)).json()) as { scheme: ScoringScheme | null };
    if (!view.scheme) throw new Error(`${this.clusterId}: no scoring scheme`);
    return { scheme: view.scheme };
  }

  /** Verifies a unit's sheet: every criterion at `points(i)`. */
  async verify(unitId: string, scheme: ScoringScheme, points: (criterionMax: number, i: number) => number): Promise<void> {
    const criteria = scheme.groups.flatMap((g) => g.criteria).map((c, i) => ({ criterionId: c.id, points: points(c.maximum, i) }));
    await (await this.call('PUT', this.plan(`/scoring/units/${unitId}/verification`), 200, { criteria, expectedVersion: 0 })).json();
  }

  async freeze(): Promise<void> {
    await (await this.call('POST', this.plan('/scoring/freeze'), 200, { note: 'Chốt kết quả (mô phỏng)' })).json();
  }

  async exportScores(format: 'xlsx' | 'csv'): Promise<number> {
    return (await (await this.call('GET', this.plan(`/scoring/export?format=${format}`), 200)).arrayBuffer()).byteLength;
  }
}
