import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { simulatorEnv } from './simulator';
import { run, type Run, tempDir, toolEnv } from './terraform';

export const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');

/**
 * Makes this package installed in `dir` (a symlink `dir/node_modules/pexip-telehealth-cdktf` to the repository), as
 * an app's own installation would: the provisioners of a `cdktf.out` under `dir` find the CLI there.
 */
export function linkPackage(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'pexip-telehealth-cdktf'), 'dir');
}

/** A CDKTF project directory running test/e2e/fixture-app.js, whose variable parts live in app-config.json. */
export interface Project {
  readonly dir: string;
  /** Rewrites app-config.json with these changes merged in. */
  configure(change: Record<string, unknown>): void;
  /** Runs the real cdktf CLI in the project, against the simulator, with the given extra environment. */
  cdktf(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<Run>;
}

export function createProject(sim: PexipSimulator, secrets: NodeJS.ProcessEnv, initial: Record<string, unknown> = {}): Project {
  const dir = tempDir('pexip-project-');
  linkPackage(dir);
  const themeDir = join(dir, 'theme');
  const brandingDir = join(dir, 'branding', 'webapp3', 'branding');
  mkdirSync(themeDir, { recursive: true });
  mkdirSync(brandingDir, { recursive: true });
  writeFileSync(join(themeDir, 'themeconfig.json'), JSON.stringify({ theme_version: 2 }));
  writeFileSync(join(brandingDir, 'manifest.json'), JSON.stringify({ version: 0, brandName: 'e2e' }));
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${join(ROOT, 'test', 'e2e', 'fixture-app.js')}`, output: 'cdktf.out', sendCrashReports: 'false' }));
  let config: Record<string, unknown> = { stateDir: dir, themeDir, brandingDir: join(dir, 'branding'), theme: true, serviceName: 'Appointment {{unique_encounter_id}}', ...initial };
  const write = () => writeFileSync(join(dir, 'app-config.json'), JSON.stringify(config));
  write();
  return {
    dir,
    configure(change) {
      config = { ...config, ...change };
      write();
    },
    cdktf(args, extraEnv = {}) {
      return run(process.execPath, [CDKTF, ...args], dir, toolEnv({ ...simulatorEnv(sim), ...secrets, PEXIP_E2E_CONFIG: join(dir, 'app-config.json'), PEXIP_E2E_LIB: join(ROOT, 'dist', 'src', 'index.js'), ...extraEnv }));
    },
  };
}
