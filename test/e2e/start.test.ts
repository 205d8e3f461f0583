import { resolve } from 'node:path';
import { run, tempDir, toolEnv } from '../helpers/terraform';

const ROOT = resolve(__dirname, '..', '..');

describe('npm start (the main job)', () => {
  it('deploys nonprod to the embedded simulator, lists the objects, and shows both second plans clean', async () => {
    // Its own TMPDIR: the demo's scratch directory ($TMPDIR/pexip-cdktf-demo) is then this run's alone.
    const result = await run(process.execPath, [resolve(ROOT, 'dist', 'examples', 'start.js'), '--exit'], ROOT, toolEnv({ TMPDIR: tempDir('start-') }));
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/== Pexip simulator listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(result.output).toMatch(/telehealth_profile\s+Healthcare Org \(test\)\s+1\s+nonprod\/epic\.profile/);
    expect(result.output).toMatch(/ivr_theme\s+Healthcare Org \(test\) waiting room\s+5\s+nonprod\/epic\.theme/);
    expect(result.output).toMatch(/licence\s+DEMO-TELEHEALTH-0001\s+\S+\s+\(its carrier, in Terraform state\)/);
    expect(result.output).toMatch(/policy_server\s+pexip-cdktf: nonprod\s+\d+\s+\(ledger of stack nonprod\)/);
    expect(result.output).not.toContain('client secrets differ');
    expect(result.output).toContain('No changes: Pexip matches stack "nonprod".');
    expect(result.output).toContain('No changes. Your infrastructure matches the configuration.');
  });
});
