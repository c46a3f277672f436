import { readFileSync } from 'node:fs';
import { App, CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagRuleCompliance, type IApplyRule } from 'cdk-nag';
import { buildApp } from '../../infra/build-app';

class RawChecks extends AwsSolutionsChecks {
  public readonly raw: string[] = [];
  protected override applyRule(params: IApplyRule): void {
    const id = `AwsSolutions-${params.ruleSuffixOverride ?? params.rule.name}`;
    let r;
    try { r = params.rule(params.node); } catch (e) { this.raw.push(`${id} THREW ${params.node.node.path} ${(e as Error).message}`); return; }
    if (r === NagRuleCompliance.NON_COMPLIANT) this.raw.push(`${id} ${params.node.node.path}`);
    else if (Array.isArray(r)) for (const f of r) this.raw.push(`${id}[${f}] ${params.node.node.path}`);
  }
}
const context = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const app = new App({ context, outdir: '/tmp/scr/out' });
buildApp(app, { nag: false });
app.synth();
const c = new RawChecks();
c.validateScope(app);
console.log(c.raw.join('\n'));
void CfnResource;
