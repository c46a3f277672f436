/**
 * Snapshots of the synthesized templates, so that an unintended infrastructure change shows up in review as a diff
 * of test/infra/__snapshots__/*.json. Two apps: the one the other infra tests build (context key by key), and the
 * `prod` stage of cdk.json (region, retention, alarm email, upload limit from the stage configuration).
 *
 * Volatile values are masked: asset hashes (they change with every source change, bundled or not) and the CDK
 * bootstrap asset bucket. Everything else (resource types, logical ids, properties, policies) is compared as it is.
 * After an intended change: `npx vitest run test/infra/snapshot.test.ts -u`, and review the diff.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { readCdkJsonContext } from '../../infra/config';
import { newTestApp } from './support';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
// A stage's stacks take the account from the CDK CLI's environment when there is one: not in a snapshot.
delete process.env.CDK_DEFAULT_ACCOUNT;

/** The template as JSON text with the volatile values replaced by stable placeholders. */
export function maskedTemplate(stack: Stack): string {
  const json = JSON.stringify(Template.fromStack(stack).toJSON(), null, 2);
  return json
    .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_match, ext: string | undefined) => `<asset-hash>${ext ?? ''}`)
    .replace(/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}/g, '<bootstrap-assets-bucket>');
}

describe('synthesized templates (masked)', () => {
  it('the app as the infra tests build it', async () => {
    const { app, cleanup } = newTestApp(NO_BUNDLING);
    try {
      const built = buildApp(app, { nag: false });
      await expect(maskedTemplate(built.stateful)).toMatchFileSnapshot('__snapshots__/default-stateful.json');
      await expect(maskedTemplate(built.stateless)).toMatchFileSnapshot('__snapshots__/default-stateless.json');
    } finally {
      cleanup();
    }
  });

  it('the prod stage of cdk.json', async () => {
    const { app, cleanup } = newTestApp({ ...NO_BUNDLING, stages: readCdkJsonContext().stages, stage: 'prod', appOrigin: undefined, mailFrom: undefined });
    try {
      const built = buildApp(app, { nag: false });
      expect(built.stage).toBe('prod');
      await expect(maskedTemplate(built.stateful)).toMatchFileSnapshot('__snapshots__/prod-stateful.json');
      await expect(maskedTemplate(built.stateless)).toMatchFileSnapshot('__snapshots__/prod-stateless.json');
    } finally {
      cleanup();
    }
  });

  it('masks asset hashes and nothing that carries meaning', () => {
    const { app, cleanup } = newTestApp(NO_BUNDLING);
    try {
      const built = buildApp(app, { nag: false });
      const text = maskedTemplate(built.stateless);
      expect(text).toContain('<asset-hash>.zip');
      expect(text).not.toMatch(/[0-9a-f]{64}/);
      // Logical ids, runtimes and policies stay as they are.
      expect(text).toContain('"Runtime": "nodejs22.x"');
      expect(text).toContain('"dynamodb:Query"');
    } finally {
      cleanup();
    }
  });
});
