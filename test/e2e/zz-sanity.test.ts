import { it, expect } from 'vitest';
import { launchBrowser, newTestContext } from '../support/browser';
it('detects', async () => {
  const b = await launchBrowser();
  const t = await newTestContext(b);
  await t.context.route('http://example.test/**', (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'" },
    body: '<p style="color:red">x</p><script nonce="abc">setTimeout(function(){ throw new Error("boom") }, 0)</script><script>console.log(1)</script>',
  }));
  await t.page.goto('http://example.test/');
  await t.page.waitForTimeout(500);
  console.log(JSON.stringify(t.problems, null, 1));
  expect(t.problems.cspViolations.length).toBeGreaterThan(0);
  await b.close();
});
