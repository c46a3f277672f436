/**
 * Helpers for the infra tests: an App configured like `cdk synth` configures it, and a reader for the validation
 * report that cdk-nag v3 findings end up in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../infra/constructs/project-function';

/** The feature flags of cdk.json: the CLI passes them to the app, so a test must too or it tests another template. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** A fresh App with cdk.json's context, synthesizing into its own temporary directory. */
export function newTestApp(extraContext: Record<string, unknown> = {}): { app: App; cleanup: () => void } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cum-thi-dua-infra-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...extraContext } });
  return { app, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** One reported (not acknowledged) finding of a validation plugin such as cdk-nag. */
export interface ReportedFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPaths: readonly string[];
}

interface ValidationReportJson {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * Findings in the cloud assembly's `validation-report.json`, which CDK writes whenever a validation plugin is
 * registered. cdk-nag v3 leaves acknowledged findings out, so everything here is unacknowledged.
 * Throws when the file is missing: that would mean no plugin ran, which must not pass as "no findings".
 */
export function reportedFindings(assemblyDirectory: string): ReportedFinding[] {
  const file = path.join(assemblyDirectory, 'validation-report.json');
  if (!existsSync(file)) throw new Error(`No validation report in ${assemblyDirectory}: was a plugin registered?`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReportJson;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity,
      constructPaths: violation.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}
