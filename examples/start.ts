import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PexipClient } from '../src/api/client';
import { streamLogger } from '../src/api/log';
import { loadDesiredSet } from '../src/engine/desired';
import { findLedger, isLedgerObject, liveOwner } from '../src/engine/ledger';
import { observe } from '../src/engine/live';
import { hasChanges } from '../src/engine/plan';
import { planAgainstLive } from '../src/engine/reconcile';
import { generateEpicKey } from '../src/epic/encryption-key';
import { KINDS } from '../src/kinds';
import { keyOf, naturalKeyOf } from '../src/api/client';
import { PexipSimulator } from '../src/simulator/server';

/**
 * `npm start`: the main job. Starts the embedded simulator (unless PEXIP_ADDRESS names a real Management Node),
 * runs a real `cdktf deploy nonprod`, prints the objects that now exist in Pexip, and shows that a second plan is
 * clean. With the simulator it keeps running afterwards (Ctrl-C stops it) unless `--exit` is given.
 */
const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const STACK = 'nonprod';
const say = (line: string) => process.stdout.write(`\n== ${line}\n`);

function runCdktf(args: string[], env: NodeJS.ProcessEnv, outdir: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CDKTF, ...args, '--output', outdir], { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' };
  if (!env.TF_CLI_CONFIG_FILE || !existsSync(env.TF_CLI_CONFIG_FILE)) {
    // A missing CLI config file only makes Terraform warn on every command; an empty one is quiet.
    const config = join(tmpdir(), 'pexip-cdktf-empty.tfrc');
    writeFileSync(config, '');
    env.TF_CLI_CONFIG_FILE = config;
  }
  let outdir = join(ROOT, 'cdktf.out');
  let simulator: PexipSimulator | undefined;
  if (!env.PEXIP_ADDRESS) {
    const password = 'pexip-simulator';
    simulator = await PexipSimulator.start({ users: { admin: password } });
    Object.assign(env, { PEXIP_ADDRESS: simulator.url, PEXIP_USERNAME: 'admin', PEXIP_PASSWORD: password });
    // Demo values only: a real deployment takes them from the hospital's secret store.
    // Epic issues one value for both client secrets today: the demo does too (else it warns about them differing).
    env.EPIC_NONPROD_PATIENT_CLIENT_SECRET ??= 'demo-nonprod-client-secret';
    env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET ??= 'demo-nonprod-client-secret';
    env.EPIC_NONPROD_ENCRYPTION_KEY ??= generateEpicKey(32);
    env.PEXIP_NONPROD_LICENCE_ENTITLEMENT ??= 'DEMO-TELEHEALTH-0001';
    // A fresh simulator needs fresh Terraform state: the demo synthesizes and keeps state in its own scratch
    // directory, never in the project's cdktf.out or state files.
    const scratch = join(tmpdir(), 'pexip-cdktf-demo');
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    outdir = join(scratch, 'cdktf.out');
    env.PEXIP_CDKTF_STATE_DIR = scratch;
    // The provisioners find the CLI in node_modules above the stack directory, as in an app's own installation.
    mkdirSync(join(scratch, 'node_modules'));
    symlinkSync(ROOT, join(scratch, 'node_modules', 'pexip-telehealth-cdktf'), 'dir');
    say(`Pexip simulator listening on ${simulator.url} (user admin, password ${password})`);
  } else {
    say(`Using the Management Node at ${env.PEXIP_ADDRESS}`);
  }
  try {
    return await demo(env, outdir, simulator);
  } finally {
    await simulator?.stop();
  }
}

async function demo(env: NodeJS.ProcessEnv, outdir: string, simulator: PexipSimulator | undefined): Promise<number> {
  say(`cdktf deploy ${STACK}`);
  const deployed = await runCdktf(['deploy', STACK, '--auto-approve'], env, outdir);
  if (deployed !== 0) return deployed;

  const desiredSet = join(outdir, 'stacks', STACK, 'pexip-desired.json');
  const client = PexipClient.fromEnv(env, streamLogger('warn'));
  try {
    say('Objects in Pexip now');
    const { set } = loadDesiredSet(desiredSet);
    const live = await observe(client, KINDS);
    const rows: string[][] = [['kind', 'name', 'key', 'owner']];
    const ledger = findLedger(live, STACK)?.ledger;
    for (const kind of KINDS) {
      for (const object of live.get(kind.name as never) ?? []) {
        const owner = liveOwner(kind, object, STACK, ledger ? [ledger] : []);
        const ownerText = isLedgerObject(kind, object)
          ? `(ledger of stack ${STACK})`
          : kind.ownership.style === 'terraform-state'
            ? '(its carrier, in Terraform state)'
            : owner
              ? `${owner.stack}/${owner.logicalId ?? '?'}`
              : '(not owned)';
        rows.push([kind.name, naturalKeyOf(kind, object) ?? '', keyOf(kind, object), ownerText]);
      }
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const row of rows) process.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}\n`);

    say('Second plan (Pexip side): pexip-cdktf plan');
    const { plan } = await planAgainstLive(set, client);
    process.stdout.write(hasChanges(plan) ? '  changes pending (unexpected)\n' : `  No changes: Pexip matches stack "${STACK}".\n`);
    if (hasChanges(plan)) return 2;
  } finally {
    client.close();
  }

  say(`Second plan (Terraform side): cdktf diff ${STACK}`);
  const diffed = await runCdktf(['diff', STACK], env, outdir);
  if (diffed !== 0) return diffed;

  if (simulator && !process.argv.includes('--exit')) {
    say(`The simulator keeps running at ${simulator.url}; try: PEXIP_ADDRESS=${simulator.url} PEXIP_USERNAME=admin PEXIP_PASSWORD=pexip-simulator npx pexip-cdktf plan ${desiredSet}. Ctrl-C stops it.`);
    await new Promise<void>((stop) => {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
