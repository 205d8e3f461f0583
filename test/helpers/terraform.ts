import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment for Terraform and cdktf in tests: no telemetry, no plugin cache, an empty CLI config. */
export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const config = join(tmpdir(), 'pexip-cdktf-empty.tfrc');
  writeFileSync(config, '');
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    TF_CLI_CONFIG_FILE: config,
    TF_IN_AUTOMATION: '1',
    CI: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs a program to completion, collecting its output. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Strip terminal escapes (cdktf draws progress with them) so assertions read plain text.
      const clean = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      resolve({ code, stdout: clean(stdout), stderr: clean(stderr), output: clean(stdout + stderr) });
    });
  });
}

export function terraform(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run('terraform', args, dir, toolEnv(env));
}

/** A scratch directory under the test run's root (removed by the global teardown). */
export function tempDir(prefix: string): string {
  const root = process.env.PEXIP_CDKTF_TEST_TMP ?? tmpdir();
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, prefix));
}
