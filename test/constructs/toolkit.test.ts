import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { NullProvider as CdktfNullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as CdktfNullResource } from '@cdktf/provider-null/lib/resource';
import { Construct } from 'constructs';
import { PexipStack } from '../../src';
import { NullProvider, NullResource } from '../../src/constructs/null-resource';
import { resolveToolkit, ToolkitError, type ToolkitName } from '../../src/constructs/toolkit';
import { ROOT } from '../helpers/project';
import { tempDir } from '../helpers/terraform';

/** An app directory with stand-in toolkit packages (just enough to be loaded) and a package.json naming `declared`. */
function appWith(installed: Partial<Record<ToolkitName, string>>, declared: readonly ToolkitName[] = []): string {
  const dir = tempDir('pexip-toolkit-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', dependencies: Object.fromEntries(declared.map((n) => [n, '*'])) }));
  const pkg = (name: string, version: string, files: Record<string, string>) => {
    const root = join(dir, 'node_modules', name);
    mkdirSync(join(root, 'lib', 'synthesize'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
    for (const [file, content] of Object.entries(files)) writeFileSync(join(root, file), content);
  };
  pkg('constructs', '10.7.2', { 'index.js': 'module.exports = { Construct: class Construct {} };' });
  for (const [name, version] of Object.entries(installed)) {
    pkg(name, version, { 'index.js': `module.exports = { App: class App {}, which: '${name}' };`, 'lib/synthesize/synthesizer.js': 'module.exports = {};' });
  }
  return dir;
}

describe('the toolkit is the one the app has', () => {
  const empty = tempDir('pexip-toolkit-none-');
  const pick = (dir: string, env: NodeJS.ProcessEnv = {}) => resolveToolkit(dir, env, empty);

  it('takes the only one installed, cdktf 0.21 or cdktn 0.24, and loads it from the app', () => {
    const cdktn = pick(appWith({ cdktn: '0.24.0' }));
    expect([cdktn.name, cdktn.version, (cdktn.lib as unknown as { which: string }).which]).toEqual(['cdktn', '0.24.0', 'cdktn']);
    expect(pick(appWith({ cdktf: '0.21.0' })).name).toBe('cdktf');
  });

  it('with both installed, takes the one the app depends on; PEXIP_CDK_TOOLKIT settles it otherwise', () => {
    expect(pick(appWith({ cdktf: '0.21.0', cdktn: '0.24.0' }, ['cdktn'])).name).toBe('cdktn');
    const both = appWith({ cdktf: '0.21.0', cdktn: '0.24.0' }, ['cdktf', 'cdktn']);
    expect(() => pick(both)).toThrow(/both cdktf and cdktn are installed .*\(cdktf 0\.21 \(CDK for Terraform\) or cdktn 0\.24 \(CDK Terrain\)\) or set PEXIP_CDK_TOOLKIT=cdktf\|cdktn/);
    expect(pick(both, { PEXIP_CDK_TOOLKIT: 'cdktf' }).name).toBe('cdktf');
  });

  it('refuses neither, an unsupported version and a bad override, naming both toolkits', () => {
    expect(() => pick(appWith({}))).toThrow(ToolkitError);
    expect(() => pick(appWith({}))).toThrow(/needs cdktf 0\.21 \(CDK for Terraform\) or cdktn 0\.24 \(CDK Terrain\) in the app, and neither is installed/);
    expect(() => pick(appWith({ cdktn: '0.25.1' }))).toThrow(/cdktn 0\.25\.1 is installed .*, but pexip-telehealth-cdktf supports cdktf 0\.21 .* or cdktn 0\.24/);
    expect(() => pick(appWith({ cdktf: '0.21.0' }), { PEXIP_CDK_TOOLKIT: 'cdktn' })).toThrow(/PEXIP_CDK_TOOLKIT=cdktn, but cdktn is not installed/);
    expect(() => pick(appWith({ cdktf: '0.21.0' }), { PEXIP_CDK_TOOLKIT: 'terraform' })).toThrow(/must be "cdktf" or "cdktn"/);
  });

  it('falls back to the toolkit beside this package only when the app directory has none', () => {
    const beside = appWith({ cdktn: '0.24.0' });
    expect(resolveToolkit(appWith({}), {}, beside).name).toBe('cdktn');
    expect(resolveToolkit(appWith({ cdktf: '0.21.0' }), {}, beside).name).toBe('cdktf');
  });

  it('refuses a PexipStack under an App of another toolkit or copy, naming it', () => {
    const foreign = new Construct(undefined as unknown as Construct, '');
    Object.defineProperty(foreign, Symbol.for('cdktf/App'), { value: true });
    expect(() => new PexipStack(foreign, 'prod', { environment: 'production' })).toThrow(/the app's App comes from another toolkit or another copy .* use cdktf 0\.21\.0 from /);
  });
});

describe('the null_resource carrier, built on the app toolkit', () => {
  it('synthesizes exactly what @cdktf/provider-null does', () => {
    const build = (make: (stack: TerraformStack) => void) => {
      const stack = new TerraformStack(Testing.app(), 'nulls');
      make(stack);
      return JSON.parse(Testing.synth(stack)) as Record<string, unknown>;
    };
    const provisioners = [{ type: 'local-exec' as const, command: 'echo hi', environment: { A: '${self.triggers.a}' } }];
    const ours = build((stack) => {
      new NullProvider(stack, 'null');
      const dep = new NullResource(stack, 'first', { triggers: { a: '1' } });
      new NullResource(stack, 'second', { triggers: { a: '2', 'spec.b': 'x' }, dependsOn: [dep], provisioners, lifecycle: { replaceTriggeredBy: ['null_resource.first'] } });
      const later = new NullResource(stack, 'record', {});
      later.triggers = { node: 'n1' };
      later.lifecycle = { ignoreChanges: ['triggers["node"]'] };
    });
    const theirs = build((stack) => {
      new CdktfNullProvider(stack, 'null');
      const dep = new CdktfNullResource(stack, 'first', { triggers: { a: '1' } });
      new CdktfNullResource(stack, 'second', { triggers: { a: '2', 'spec.b': 'x' }, dependsOn: [dep], provisioners, lifecycle: { replaceTriggeredBy: ['null_resource.first'] } });
      const later = new CdktfNullResource(stack, 'record', {});
      later.triggers = { node: 'n1' };
      later.lifecycle = { ignoreChanges: ['triggers["node"]'] };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toHaveProperty(['resource', 'null_resource', 'second', 'triggers', 'spec.b'], 'x');
    expect(ours).toHaveProperty(['resource', 'null_resource', 'record', 'lifecycle', 'ignore_changes'], ['triggers["node"]']);
  });
});

describe('the package where no toolkit is installed', () => {
  it('loads (client, engine, simulator), and fails at the first construct, naming both toolkits', () => {
    // An installation of the built package with its runtime dependency only: no cdktf, no cdktn anywhere above it.
    const dir = tempDir('pexip-no-toolkit-');
    const pkg = join(dir, 'node_modules', 'pexip-telehealth-cdktf');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(ROOT, 'dist', 'src'), join(pkg, 'dist', 'src'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', 'axios'), join(dir, 'node_modules', 'axios'), 'dir');
    const script = [
      "const p = require('pexip-telehealth-cdktf');",
      'console.log(typeof p.PexipClient, typeof p.PexipSimulator, typeof p.PexipStack);',
      "try { new p.PexipStack({ node: { root: {} } }, 'prod', { environment: 'production' }); } catch (e) { console.log(`${e.name}: ${e.message}`); }",
      "try { new p.PolicyProfile({ node: { root: {} } }, 'p', { name: 'P' }); } catch (e) { console.log(e.name); }",
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [types, stack, l2] = result.stdout.trim().split('\n');
    expect(types).toBe('function function function');
    expect(stack).toMatch(/^ToolkitError: pexip-telehealth-cdktf needs cdktf 0\.21 \(CDK for Terraform\) or cdktn 0\.24 \(CDK Terrain\) in the app, and neither is installed in /);
    expect(l2).toBe('ToolkitError');
  });
});
