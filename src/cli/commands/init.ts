import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../api/errors';
import { exportCode } from '../../engine/export';
import { observe } from '../../engine/live';
import {
  DEFAULT_VALUES,
  ENVIRONMENT_OF,
  type EnvironmentValues,
  type LiveStack,
  type ScaffoldFile,
  scaffold,
  STACKS,
  type StackId,
  VALUE_FLAGS,
} from '../../init/scaffold';
import { KINDS } from '../../kinds';
import { ownPackage } from '../../util/own-package';
import type { OptionSpec } from '../args';
import { type Command, type CommandContext, EXIT } from '../command';
import { withClient } from '../with-client';

const valueOptions: OptionSpec[] = STACKS.flatMap((stack) =>
  VALUE_FLAGS.map((f) => ({
    name: `${stack}-${f.flag}`,
    type: f.key === 'rulePriority' ? ('number' as const) : ('string' as const),
    value: f.key === 'rulePriority' ? '<n>' : '<value>',
    description: `${stack}: ${f.description} (default ${f.key === 'profileUuid' ? 'a new random uuid' : JSON.stringify(DEFAULT_VALUES[stack][f.key])}).`,
  })),
);

/**
 * `name@range` for a registry package; anything else (tarball, path, URL, git) is this package's spec as given, a
 * local path made relative to the app (`appDir`): npm reads `file:` paths from the app's directory, and an absolute
 * one breaks as soon as the app is committed, checked out elsewhere or built in CI. A relative path given is taken
 * from `cwd`, where it was typed.
 */
export function dependencyFor(spec: string, ownName: string, cwd: string, appDir: string): { name: string; spec: string } {
  const registry = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)@([^/\\:]+)$/i.exec(spec);
  if (registry && !registry[2].endsWith('.tgz')) return { name: registry[1], spec: registry[2] };
  if (!spec.endsWith('.tgz') && (/^[a-z0-9][\w.-]*$/i.test(spec) || /^@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*$/i.test(spec))) return { name: spec, spec: 'latest' };
  const local = spec.startsWith('file:') ? spec.slice('file:'.length) : /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])/.test(spec) || spec.endsWith('.tgz') ? spec : undefined;
  if (local !== undefined && !/^[a-z+]+:\/\//i.test(local)) return { name: ownName, spec: `file:${relative(appDir, resolve(cwd, local)).split(sep).join('/')}` };
  return { name: ownName, spec };
}

/** The constructs range cdktn 0.24 accepts (its peer dependency), within the package's own and cdktf 0.21's. */
const APP_CONSTRUCTS = '>=10.6.0 <10.8.0';

function appName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name || 'pexip-telehealth';
}

function valuesFrom(options: CommandContext['args']['options']): Record<StackId, EnvironmentValues> {
  const values = {} as Record<StackId, EnvironmentValues>;
  for (const stack of STACKS) {
    const entry: Record<string, string | number> = { ...DEFAULT_VALUES[stack], profileUuid: randomUUID() };
    for (const f of VALUE_FLAGS) {
      const given = options[`${stack}-${f.flag}`];
      if (given === undefined) continue;
      if (f.key === 'rulePriority' && (!Number.isInteger(given) || (given as number) < 1 || (given as number) > 200)) {
        throw new ConfigError(`--${stack}-${f.flag} must be a whole number from 1 to 200 (got ${String(given)}).`, { field: `--${stack}-${f.flag}` });
      }
      if (typeof given === 'string' && given.trim() === '') throw new ConfigError(`--${stack}-${f.flag} must not be empty.`, { field: `--${stack}-${f.flag}` });
      entry[f.key] = given as string | number;
    }
    values[stack] = entry as unknown as EnvironmentValues;
  }
  return values;
}

/** Which flag sets an EpicTelehealthIntegration prop (its errors name its own props), for error messages. */
const FLAG_OF_PROP: Readonly<Record<string, string>> = {
  profileName: 'profile-name',
  callDomain: 'call-domain',
  webAppBaseUrl: 'web-app-base-url',
  'epic.baseUrl': 'epic-base-url',
  'epic.oauth2BaseUrl': 'epic-oauth2-base-url',
  'epic.patientClientId': 'patient-client-id',
  'epic.providerClientId': 'provider-client-id',
  'routing.priority': 'rule-priority',
  profileUuid: 'profile-uuid',
};

/**
 * Builds the integrations in memory with the real constructs, so a bad value (an http URL, a priority Pexip refuses)
 * is reported now, naming its flag, instead of at the app's first synth.
 */
function checkValues(values: Readonly<Record<StackId, EnvironmentValues>>, stacks: readonly StackId[]): void {
  // Whichever toolkit is at hand: the values are checked the same under both.
  const { toolkit, toolkitProblem } = require('../../constructs/toolkit') as typeof import('../../constructs/toolkit');
  const problem = toolkitProblem();
  if (problem) throw new ConfigError(`init checks the values with the constructs, which need a toolkit beside this package: npx -p ${ownPackage().name} -p cdktn@^0.24.0 pexip-cdktf init … (${problem.message})`);
  const { App } = toolkit().lib;
  const { EpicTelehealthIntegration, PexipStack, Secret } = require('../../index') as typeof import('../../index');
  // Nothing is synthesized: the constructs validate as they are built.
  const app = new App({ outdir: join(tmpdir(), 'pexip-cdktf-init-check'), skipValidation: true });
  for (const stack of stacks) {
    const v = values[stack];
    const variant = stack === 'prod' ? 'PROD' : 'NONPROD';
    try {
      const s = new PexipStack(app, stack, { environment: ENVIRONMENT_OF[stack] });
      new EpicTelehealthIntegration(s, 'epic', {
        environment: ENVIRONMENT_OF[stack],
        profileName: v.profileName,
        callDomain: v.callDomain,
        webAppBaseUrl: v.webAppBaseUrl,
        epic: { baseUrl: v.epicBaseUrl, oauth2BaseUrl: v.epicOauth2BaseUrl, patientClientId: v.patientClientId, providerClientId: v.providerClientId },
        secrets: {
          patientClientSecret: Secret.fromEnv(`EPIC_${variant}_PATIENT_CLIENT_SECRET`),
          providerClientSecret: Secret.fromEnv(`EPIC_${variant}_PROVIDER_CLIENT_SECRET`),
          encryptionKey: Secret.fromEnv(`EPIC_${variant}_ENCRYPTION_KEY`),
        },
        routing: { priority: v.rulePriority },
        profileUuid: v.profileUuid,
      });
      s.desiredSet();
    } catch (error) {
      const message = (error as Error).message;
      // "<construct path>: <prop>: <problem>": name the flag that set the prop.
      const match = /^(\S+): ([\w.]+): (.*)$/s.exec(message);
      const flag = match && match[1] === `${stack}/epic` ? FLAG_OF_PROP[match[2]] : undefined;
      if (match && flag) throw new ConfigError(`--${stack}-${flag}: ${match[3]}`, { field: `--${stack}-${flag}` });
      throw new ConfigError(`the --${stack}-… values do not make a valid integration: ${message}`);
    }
  }
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/**
 * New apps get the maintained toolkit where its CLI runs: cdktn-cli needs Node 22.19 or later. On an older Node
 * (Node 20 is still common in hospitals' build agents) a cdktn app could not even synthesize, so cdktf it is.
 */
export function defaultToolkit(nodeVersion: string): 'cdktn' | 'cdktf' {
  const [major, minor] = nodeVersion.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 19) ? 'cdktn' : 'cdktf';
}

export const initCommand: Command = {
  name: 'init',
  summary: 'Scaffold a CDKTF app for one Epic telehealth integration (prod and nonprod stacks, GitOps pipeline); --from-live starts from the integration on PEXIP_ADDRESS.',
  positionals: [{ name: 'dir', description: 'Directory for the new app (created; must be empty unless --force)', required: true }],
  options: [
    { name: 'package', type: 'string', value: '<npm spec>', description: `How the app depends on this package (default ${ownPackage().name}@^${ownPackage().version}); a tarball path works too.` },
    { name: 'toolkit', type: 'string', value: 'cdktn|cdktf', description: 'The app\'s toolkit: cdktn (CDK Terrain, maintained; its CLI needs Node 22.19+) or cdktf (CDK for Terraform, deprecated). Default: cdktn on Node 22.19 or later, cdktf on older Node (where the cdktn CLI cannot run).' },
    { name: 'name', type: 'string', value: '<name>', description: 'npm name of the app (default: the directory name).' },
    { name: 'force', type: 'boolean', description: 'Write into a non-empty directory, replacing files of the same names.' },
    { name: 'from-live', type: 'boolean', description: 'Declare one stack from `export` of the integration on the node named by PEXIP_ADDRESS (adopted on first deploy).' },
    { name: 'live-stack', type: 'string', value: 'prod|nonprod', description: 'With --from-live: the stack the live integration becomes (default prod).' },
    ...valueOptions,
  ],
  async run(context) {
    const { args, json, log, out } = context;
    const dir = resolve(args.positionals[0]);
    if (!isEmptyDir(dir) && !args.options.force) throw new ConfigError(`${dir} is not empty; choose an empty directory or give --force.`, { field: 'dir' });
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`${dir} is a file, not a directory.`, { field: 'dir' });
    const own = ownPackage();
    const dependency = dependencyFor((args.options.package as string | undefined) ?? `${own.name}@^${own.version}`, own.name, process.cwd(), dir);
    const values = valuesFrom(args.options);
    const toolkit = (args.options.toolkit as string | undefined) ?? defaultToolkit(process.versions.node);
    if (toolkit !== 'cdktn' && toolkit !== 'cdktf') throw new ConfigError(`--toolkit must be cdktn or cdktf (got "${toolkit}").`, { field: '--toolkit' });
    const liveStack = (args.options['live-stack'] as string | undefined) ?? 'prod';
    if (!(STACKS as readonly string[]).includes(liveStack)) throw new ConfigError(`--live-stack must be prod or nonprod (got "${liveStack}").`, { field: '--live-stack' });
    if (args.options['live-stack'] !== undefined && !args.options['from-live']) throw new ConfigError('--live-stack needs --from-live.', { field: '--live-stack' });
    const live = args.options['from-live'] ? await fromLive(context, liveStack as StackId, dependency.name) : undefined;
    checkValues(values, STACKS.filter((s) => s !== live?.stack));

    const gitops = join(own.root, 'examples', 'gitops');
    const read = (file: string) => readFileSync(join(gitops, file), 'utf8');
    const peers = own.peerDependencies;
    const files: ScaffoldFile[] = scaffold({
      name: (args.options.name as string | undefined) ?? appName(dir),
      toolkit,
      dependency,
      // The toolchain the package supports: its peer ranges. Both toolkits get the constructs cdktn 0.24 accepts: npm
      // holds every app to the constraints of an optional peer too, and does not backtrack to find them.
      versions: { toolkit: peers[toolkit], constructs: APP_CONSTRUCTS, typescript: '^5' },
      values,
      live,
      gitops: { pipeline: read('pipeline.sh'), githubActions: read('github-actions.yml'), gitlabCi: read('gitlab-ci.yml') },
    });
    for (const file of files) {
      const path = join(dir, ...file.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      if (file.executable) chmodSync(path, 0o755);
      if (!json) log.info(`wrote ${file.path}`);
    }
    if (json) out(`${JSON.stringify({ dir, files: files.map((f) => f.path), dependency, ...(live ? { liveStack: live.stack } : {}) })}\n`);
    else out(`\nNext: cd ${dir} && npm install && npx ${toolkit} synth   (then see README.md)\n`);
    return EXIT.ok;
  },
};

async function fromLive(context: CommandContext, stack: StackId, importFrom: string): Promise<LiveStack> {
  const address = context.env.PEXIP_ADDRESS;
  if (!address) throw new ConfigError('--from-live reads the node named by PEXIP_ADDRESS (with PEXIP_USERNAME/PEXIP_PASSWORD or OAuth2); it is not set.', { field: 'PEXIP_ADDRESS' });
  return withClient(context, async (client) => {
    const state = await observe(client, KINDS);
    const { code, skipped } = exportCode(state, { stack, environment: ENVIRONMENT_OF[stack], scope: 'telehealth', importFrom });
    for (const s of skipped) context.log.warn(`not exported: ${s.kind} "${s.name}": ${s.reason}`);
    if (!/^(const \w+ = )?new \w+\(stack, /m.test(code)) throw new ConfigError(`--from-live: ${address} holds no telehealth configuration to export (no profile, telehealth rule or licence that another stack does not own).`);
    return { stack, exportedCode: code, source: address };
  }, stack === 'prod' ? 'PROD' : 'NONPROD');
}
