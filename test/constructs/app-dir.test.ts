import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { appDirectory, pathFromStackDirectory, PexipStack, stackDirectory, Theme } from '../../src';
import { tempDir } from '../helpers/terraform';

describe('appDirectory()', () => {
  it('is the nearest directory holding cdktf.json at or above the start, else the start itself', () => {
    const app = tempDir('pexip-appdir-');
    const deep = join(app, 'src', 'deeper');
    mkdirSync(deep, { recursive: true });
    expect(appDirectory(deep)).toBe(deep);
    writeFileSync(join(app, 'cdktf.json'), '{}');
    expect(appDirectory(deep)).toBe(app);
    expect(appDirectory(app)).toBe(app);
  });

  it('defaults to looking from the current directory', () => {
    const app = tempDir('pexip-appdir-');
    writeFileSync(join(app, 'cdktf.json'), '{}');
    mkdirSync(join(app, 'sub'));
    const cwd = process.cwd();
    process.chdir(join(app, 'sub'));
    try {
      expect(appDirectory()).toBe(app);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('paths in the synthesized stack', () => {
  it('pathFromStackDirectory makes an app path relative to cdktf.out/stacks/<stack>, where Terraform runs', () => {
    const app = tempDir('pexip-appdir-');
    const stack = new PexipStack(new App({ outdir: join(app, 'cdktf.out') }), 'prod', { environment: 'production' });
    expect(stackDirectory(stack)).toBe(join(app, 'cdktf.out', 'stacks', 'prod'));
    expect(pathFromStackDirectory(stack, 'terraform.prod.tfstate', app)).toBe('../../../terraform.prod.tfstate');
    expect(pathFromStackDirectory(stack, join(app, 'state', 'x.tfstate'), '/elsewhere')).toBe('../../../state/x.tfstate');
  });

  it('theme packages are read relative to the app directory, whatever the current directory', () => {
    const app = tempDir('pexip-appdir-');
    mkdirSync(join(app, 'assets', 'theme'), { recursive: true });
    writeFileSync(join(app, 'assets', 'theme', 'themeconfig.json'), '{"theme_version":2}');
    writeFileSync(join(app, 'cdktf.json'), '{}');
    mkdirSync(join(app, 'elsewhere'));
    const cwd = process.cwd();
    process.chdir(join(app, 'elsewhere'));
    try {
      const detected = new PexipStack(new App({ outdir: join(app, 'cdktf.out') }), 'nonprod', { environment: 'non-production' });
      expect(detected.appDirectory).toBe(app);
      new Theme(detected, 'theme', { name: 'Waiting room', packageDirectory: 'assets/theme' });
      expect(detected.desiredSet().objects[0].package?.sha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      process.chdir(cwd);
    }
    const given = new PexipStack(new App({ outdir: join(app, 'cdktf.out') }), 'nonprod', { environment: 'non-production', appDirectory: join(app, 'elsewhere') });
    expect(() => new Theme(given, 'theme', { name: 'Waiting room', packageDirectory: 'assets/theme' })).toThrow(
      `nonprod/theme: packageDirectory: cannot read assets/theme in ${join(app, 'elsewhere')} (ENOENT).`,
    );
  });
});
