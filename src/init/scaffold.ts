/**
 * `pexip-cdktf init`: the files of a new CDKTF app for one Epic telehealth integration, with a `prod` and a `nonprod`
 * stack. Pure functions of the values given (no I/O), so the command and the tests see the same output.
 */

/** The two stacks every scaffolded app has. */
export const STACKS = ['prod', 'nonprod'] as const;
export type StackId = (typeof STACKS)[number];

export const ENVIRONMENT_OF: Readonly<Record<StackId, 'production' | 'non-production'>> = { prod: 'production', nonprod: 'non-production' };
/** The variant word in secret names, also the name of the stack's settings constant in environments.ts. */
const VARIANT: Readonly<Record<StackId, 'PROD' | 'NONPROD'>> = { prod: 'PROD', nonprod: 'NONPROD' };

/** What differs between environments: one `--<stack>-<flag>` option each. */
export interface EnvironmentValues {
  readonly profileName: string;
  readonly callDomain: string;
  readonly webAppBaseUrl: string;
  readonly epicBaseUrl: string;
  readonly epicOauth2BaseUrl: string;
  readonly patientClientId: string;
  readonly providerClientId: string;
  readonly rulePriority: number;
  /**
   * The profile's uuid, in Epic's launch and redirect URLs: generated once per environment by init, so no two apps
   * share one (a default derived from stack and construct names would be the same in every app made alike).
   */
  readonly profileUuid: string;
}

/** Each value's flag (after `--prod-` / `--nonprod-`) and its help text. */
export const VALUE_FLAGS: readonly { readonly key: keyof EnvironmentValues; readonly flag: string; readonly description: string }[] = [
  { key: 'profileName', flag: 'profile-name', description: 'Epic telehealth profile name (unique in Pexip; part of every conference name)' },
  { key: 'callDomain', flag: 'call-domain', description: 'domain of the telehealth call aliases' },
  { key: 'webAppBaseUrl', flag: 'web-app-base-url', description: 'public base URL of the web app (Conferencing or Proxying Edge Node, or reverse proxy)' },
  { key: 'epicBaseUrl', flag: 'epic-base-url', description: 'base URL of the Epic server' },
  { key: 'epicOauth2BaseUrl', flag: 'epic-oauth2-base-url', description: "base URL of Epic's OAuth2 APIs" },
  { key: 'patientClientId', flag: 'patient-client-id', description: 'OAuth2 client ID of the Epic patient app' },
  { key: 'providerClientId', flag: 'provider-client-id', description: 'OAuth2 client ID of the Epic provider app' },
  { key: 'rulePriority', flag: 'rule-priority', description: 'priority (1-200) of the telehealth call routing rule' },
  { key: 'profileUuid', flag: 'profile-uuid', description: "Epic telehealth profile uuid (in Epic's launch and redirect URLs)" },
];

/** Placeholders, recognisably example values, so a fresh app synthesizes before anyone fills in real ones. */
export const DEFAULT_VALUES: Readonly<Record<StackId, Omit<EnvironmentValues, 'profileUuid'>>> = {
  prod: {
    profileName: 'Healthcare Org',
    callDomain: 'telehealth.example.org',
    webAppBaseUrl: 'https://meet.example.org/',
    epicBaseUrl: 'https://epic.example.org/',
    epicOauth2BaseUrl: 'https://epic.example.org/interconnect-aocurprd-oauth',
    patientClientId: 'prod-patient-client-id',
    providerClientId: 'prod-provider-client-id',
    rulePriority: 20,
  },
  nonprod: {
    profileName: 'Healthcare Org (test)',
    callDomain: 'telehealth-test.example.org',
    webAppBaseUrl: 'https://meet-test.example.org/',
    epicBaseUrl: 'https://epic-test.example.org/',
    epicOauth2BaseUrl: 'https://epic-test.example.org/interconnect-aocurtst-oauth',
    patientClientId: 'test-patient-client-id',
    providerClientId: 'test-provider-client-id',
    rulePriority: 21,
  },
};

/** A stack started from `export` of live configuration instead of the shared template. */
export interface LiveStack {
  readonly stack: StackId;
  /** What `exportCode` produced for it. */
  readonly exportedCode: string;
  /** Where it came from (the node's address), for the file's comment. */
  readonly source: string;
}

/** The GitOps files of this package (examples/gitops), adapted to the app's layout. */
export interface GitOpsSources {
  readonly pipeline: string;
  readonly githubActions: string;
  readonly gitlabCi: string;
}

/** The CDK toolkit an app is built with: CDK Terrain (`cdktn`, maintained) or CDK for Terraform (`cdktf`, deprecated). */
export type AppToolkit = 'cdktn' | 'cdktf';

/** What differs between the toolkits in an app. Both CLIs read `cdktf.json` (CDK Terrain kept the name). */
export const TOOLKIT_APP: Readonly<Record<AppToolkit, { readonly cli: string; readonly title: string; readonly node: string; readonly nodeText: string; readonly typesNode: string }>> = {
  cdktn: { cli: 'cdktn-cli', title: 'CDK Terrain (cdktn)', node: '^22.19.0 || ^24.0.0', nodeText: 'Node 22.19 or later (22 or 24)', typesNode: '^22' },
  cdktf: { cli: 'cdktf-cli', title: 'CDK for Terraform (cdktf)', node: '^20.9.0 || ^22.0.0 || ^24.0.0', nodeText: 'Node 20, 22 or 24', typesNode: '^20' },
};

export interface ScaffoldOptions {
  /** npm name of the app. */
  readonly name: string;
  /** The app's toolkit (its library, CLI and commands). */
  readonly toolkit: AppToolkit;
  /** The dependency on this package: its name and version spec. */
  readonly dependency: { readonly name: string; readonly spec: string };
  /** Version ranges of the toolchain. */
  readonly versions: { readonly toolkit: string; readonly constructs: string; readonly typescript: string };
  readonly values: Readonly<Record<StackId, EnvironmentValues>>;
  readonly live?: LiveStack;
  readonly gitops: GitOpsSources;
}

/** A file to write: path relative to the app directory, `/`-separated. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
  readonly executable?: boolean;
}

const q = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The app entry cdktf.json runs, and how it runs it: our runner, from the app's own node_modules. */
export function appCommand(packageName: string, entry = 'main.ts'): string {
  return `node -e "require('${packageName}/app').run()" -- ${entry}`;
}

export function scaffold(options: ScaffoldOptions): ScaffoldFile[] {
  const pkg = options.dependency.name;
  const templated = STACKS.filter((s) => s !== options.live?.stack);
  const files: ScaffoldFile[] = [
    { path: 'package.json', content: packageJson(options) },
    { path: 'cdktf.json', content: `${JSON.stringify({ language: 'typescript', app: appCommand(pkg), output: 'cdktf.out', sendCrashReports: 'false', terraformProviders: [], terraformModules: [] }, null, 2)}\n` },
    { path: 'tsconfig.json', content: tsconfig(options.toolkit) },
    { path: 'main.ts', content: mainTs(pkg, options.toolkit, templated, options.live) },
    { path: 'environments.ts', content: environmentsTs(options.values, templated) },
    { path: 'integration.ts', content: integrationTs(pkg) },
    ...(options.live ? [{ path: `live-${options.live.stack}.ts`, content: liveTs(options.live, pkg) }] : []),
    { path: '.gitignore', content: GITIGNORE },
    { path: 'ci/pipeline.sh', content: adaptPipeline(options.gitops.pipeline, options.toolkit), executable: true },
    { path: '.github/workflows/pexip-telehealth.yml', content: adaptCi(options.gitops.githubActions, options.toolkit) },
    { path: '.gitlab-ci.yml', content: adaptCi(options.gitops.gitlabCi, options.toolkit) },
    { path: 'README.md', content: readme(options) },
  ];
  return files;
}

function packageJson(options: ScaffoldOptions): string {
  const v = options.versions;
  const t = options.toolkit;
  return `${JSON.stringify(
    {
      name: options.name,
      version: '0.1.0',
      private: true,
      description: 'Epic telehealth integration on Pexip Infinity, as code (pexip-telehealth-cdktf)',
      engines: { node: TOOLKIT_APP[t].node },
      scripts: { synth: `${t} synth`, typecheck: 'tsc -p tsconfig.json --noEmit' },
      dependencies: { [t]: v.toolkit, constructs: v.constructs, [options.dependency.name]: options.dependency.spec },
      // The CLI moves in step with the library.
      devDependencies: { '@types/node': TOOLKIT_APP[t].typesNode, [TOOLKIT_APP[t].cli]: v.toolkit, typescript: v.typescript },
    },
    null,
    2,
  )}\n`;
}

function tsconfig(toolkit: AppToolkit): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        lib: ['ES2022'],
        strict: true,
        noImplicitReturns: true,
        noFallthroughCasesInSwitch: true,
        skipLibCheck: true,
        sourceMap: true,
        outDir: 'dist',
        rootDir: '.',
        types: ['node'],
        // The package's type declarations name cdktf; in a cdktn app they mean cdktn, whose classes it builds on.
        ...(toolkit === 'cdktn' ? { paths: { cdktf: ['./node_modules/cdktn'], 'cdktf/*': ['./node_modules/cdktn/*'] } } : {}),
      },
      include: ['**/*.ts'],
      exclude: ['node_modules', 'dist', 'cdktf.out'],
    },
    null,
    2,
  )}\n`;
}

function mainTs(pkg: string, toolkit: AppToolkit, templated: readonly StackId[], live: LiveStack | undefined): string {
  const lines = [
    `import { App, LocalBackend, PgBackend } from '${toolkit}';`,
    `import { PexipStack, pathFromStackDirectory } from '${pkg}';`,
    ...(templated.length > 0 ? [`import { ${templated.map((s) => VARIANT[s]).join(', ')} } from './environments';`, `import { telehealthIntegration } from './integration';`] : []),
    ...(live ? [`import { liveIntegration } from './live-${live.stack}';`] : []),
    '',
    '/** One stack per Epic environment, each with its own Terraform state. */',
    `function stackFor(app: App, id: string, environment: 'production' | 'non-production'): PexipStack {`,
    '  const stack = new PexipStack(app, id, { environment });',
    '  // Pipelines need shared state with locking: Terraform\'s pg backend when PEXIP_CDKTF_PG_CONN_STR is set. Otherwise',
    '  // a state file beside cdktf.json, named relative to the stack directory (cdktf.out/stacks/<id>, where Terraform',
    '  // runs), so cdk.tf.json holds no absolute path and cdktf.out still works after the checkout moved.',
    '  if (process.env.PEXIP_CDKTF_PG_CONN_STR) new PgBackend(stack, { connStr: process.env.PEXIP_CDKTF_PG_CONN_STR, schemaName: `pexip_${id}` });',
    '  else new LocalBackend(stack, { path: pathFromStackDirectory(stack, `terraform.${id}.tfstate`) });',
    '  return stack;',
    '}',
    '',
    '// skipValidation: otherwise every resource runs `terraform version` during synth.',
    'const app = new App({ skipValidation: true });',
    'try {',
    ...STACKS.map((s) =>
      live?.stack === s
        ? `  liveIntegration(stackFor(app, '${s}', '${ENVIRONMENT_OF[s]}'));`
        : `  telehealthIntegration(stackFor(app, '${s}', '${ENVIRONMENT_OF[s]}'), ${VARIANT[s]});`,
    ),
    '  app.synth();',
    '} catch (error) {',
    '  // Construct errors name the construct path and the prop; a stack trace would only bury that line.',
    '  process.stderr.write(`${(error as Error).message}\\n`);',
    '  process.exit(1);',
    '}',
    '',
  ];
  return lines.join('\n');
}

function environmentsTs(values: Readonly<Record<StackId, EnvironmentValues>>, templated: readonly StackId[]): string {
  const block = (s: StackId) => {
    const v = values[s];
    return [
      `/** The ${ENVIRONMENT_OF[s]} integration (stack "${s}"). */`,
      `export const ${VARIANT[s]}: EnvironmentSettings = {`,
      `  variant: '${VARIANT[s]}',`,
      `  profileName: ${q(v.profileName)},`,
      `  callDomain: ${q(v.callDomain)},`,
      `  webAppBaseUrl: ${q(v.webAppBaseUrl)},`,
      `  epicBaseUrl: ${q(v.epicBaseUrl)},`,
      `  epicOauth2BaseUrl: ${q(v.epicOauth2BaseUrl)},`,
      `  patientClientId: ${q(v.patientClientId)},`,
      `  providerClientId: ${q(v.providerClientId)},`,
      `  rulePriority: ${v.rulePriority},`,
      `  profileUuid: ${q(v.profileUuid)},`,
      '};',
      '',
    ].join('\n');
  };
  return [
    '/** What differs between the Epic environments; the integration itself is defined once, in integration.ts. */',
    'export interface EnvironmentSettings {',
    "  /** Word in the secrets' variable names: EPIC_<variant>_PATIENT_CLIENT_SECRET, …_PROVIDER_CLIENT_SECRET, …_ENCRYPTION_KEY. */",
    "  readonly variant: 'PROD' | 'NONPROD';",
    '  /** Epic telehealth profile name: unique in Pexip, part of every appointment\'s conference name. */',
    '  readonly profileName: string;',
    '  /** Domain of the telehealth call aliases. */',
    '  readonly callDomain: string;',
    '  /** Public base URL of the web app (a Conferencing or Proxying Edge Node, or the reverse proxy in front). */',
    '  readonly webAppBaseUrl: string;',
    '  /** Base URL of the Epic server. */',
    '  readonly epicBaseUrl: string;',
    "  /** Base URL of Epic's OAuth2 APIs. */",
    '  readonly epicOauth2BaseUrl: string;',
    '  /** OAuth2 client IDs Epic issued for this environment\'s patient and provider apps. */',
    '  readonly patientClientId: string;',
    '  readonly providerClientId: string;',
    '  /** Priority (1-200, lower first) of the telehealth call routing rule. */',
    '  readonly rulePriority: number;',
    "  /** The profile's uuid, in Epic's launch and redirect URLs: made for this app by init. Never change it once deployed. */",
    '  readonly profileUuid: string;',
    '}',
    '',
    ...templated.map(block),
  ].join('\n');
}

function integrationTs(pkg: string): string {
  return [
    `import { EpicTelehealthIntegration, type PexipStack, Secret } from '${pkg}';`,
    `import type { EnvironmentSettings } from './environments';`,
    '',
    '/**',
    ' * The integration, the same in every environment; only the values in environments.ts differ. Secrets are read from',
    ' * environment variables at deploy time (never written to cdk.tf.json or state), named for their environment.',
    ' */',
    'export function telehealthIntegration(stack: PexipStack, env: EnvironmentSettings): EpicTelehealthIntegration {',
    '  const secret = (name: string) => Secret.fromEnv(`EPIC_${env.variant}_${name}`);',
    '  const entitlement = process.env[`PEXIP_${env.variant}_LICENCE_ENTITLEMENT`];',
    "  return new EpicTelehealthIntegration(stack, 'epic', {",
    '    environment: stack.environment,',
    '    profileName: env.profileName,',
    '    callDomain: env.callDomain,',
    '    webAppBaseUrl: env.webAppBaseUrl,',
    '    epic: { baseUrl: env.epicBaseUrl, oauth2BaseUrl: env.epicOauth2BaseUrl, patientClientId: env.patientClientId, providerClientId: env.providerClientId },',
    '    secrets: {',
    "      patientClientSecret: secret('PATIENT_CLIENT_SECRET'),",
    "      providerClientSecret: secret('PROVIDER_CLIENT_SECRET'),",
    "      encryptionKey: secret('ENCRYPTION_KEY'),",
    '      // Bump after rotating the secrets, so the next deploy sends them again.',
    "      version: '1',",
    '    },',
    '    routing: { priority: env.rulePriority },',
    '    profileUuid: env.profileUuid,',
    '    // The telehealth licence, when PEXIP_<variant>_LICENCE_ENTITLEMENT names one: activated by the deploy, returned on destroy.',
    '    ...(entitlement ? { licence: { entitlementId: entitlement, returnOnDestroy: true } } : {}),',
    '    // A waiting-room theme: put its files in assets/theme (paths are relative to the directory of cdktf.json).',
    "    // theme: { name: `${env.profileName} waiting room`, packageDirectory: 'assets/theme' },",
    '  });',
    '}',
    '',
  ].join('\n');
}

/**
 * The exported program (`new App`, one `PexipStack`, the constructs, `app.synth()`) as a function that declares the
 * constructs in a stack main.ts made.
 */
export function liveTs(live: LiveStack, pkg: string): string {
  const lines = live.exportedCode.split('\n');
  const importLine = lines.findIndex((l) => /^import \{ [^}]+ \} from '[^']+';$/.test(l) && !l.endsWith(" from 'cdktf';"));
  const stackLine = lines.findIndex((l) => /^const stack = new PexipStack\(app, '[^']+', \{ environment: '[^']+' \}\);$/.test(l));
  const synthLine = lines.lastIndexOf('app.synth();');
  if (importLine < 0 || stackLine < 0 || synthLine < stackLine) throw new Error('init --from-live: the export\'s code has an unexpected shape; please report this.');
  const names = new Set(/^import \{ ([^}]+) \}/.exec(lines[importLine])![1].split(',').map((n) => n.trim()));
  names.add('PexipStack');
  const header = lines.slice(0, importLine).filter((l) => l.startsWith('//'));
  const body = lines.slice(stackLine + 1, synthLine);
  while (body.length > 0 && body[body.length - 1].trim() === '') body.pop();
  while (body.length > 0 && body[0].trim() === '') body.shift();
  return [
    ...header,
    `import { ${[...names].sort().join(', ')} } from '${pkg}';`,
    '',
    '/**',
    ` * The integration found on ${live.source}, exported by \`pexip-cdktf init --from-live\`. Every object is declared`,
    ` * with \`adopt: true\`: the first \`cdktf deploy ${live.stack}\` takes it over (adds this stack's ownership marker) instead`,
    ' * of stopping on a conflict. Check first with `npx cdktf synth` and',
    ` * \`npx pexip-cdktf plan cdktf.out/stacks/${live.stack}/pexip-desired.json\`: only the adoptions should show.`,
    ' */',
    'export function liveIntegration(stack: PexipStack): void {',
    ...body.map((l) => (l === '' ? '' : `  ${l}`)),
    '}',
    '',
  ].join('\n');
}

const GITIGNORE = `# Synthesized stacks, Terraform's working files and state (keep state in a shared backend for pipelines)
cdktf.out/
.terraform/
*.tfstate
*.tfstate.*
*.tfplan
# Dependencies and compiled output
node_modules/
dist/
*.tsbuildinfo
`;

/** The example pipeline lives two levels down in this repository; in an app it is `ci/pipeline.sh`. */
export function adaptPipeline(text: string, toolkit: AppToolkit): string {
  return replaceAll(text, [
    ['examples/gitops/pipeline.sh', 'ci/pipeline.sh'],
    ['cd "$(dirname "$0")/../.."', 'cd "$(dirname "$0")/.."'],
    ['node bin/pexip-cdktf.js ', 'npx pexip-cdktf '],
    ['npx cdktf synth', `npx ${toolkit} synth`],
    ['  cdktf synth (all stacks)', `  ${toolkit} synth (all stacks)`],
  ]);
}

export function adaptCi(text: string, toolkit: AppToolkit): string {
  return replaceAll(text, [
    ['examples/gitops/pipeline.sh', 'ci/pipeline.sh'],
    ['Node 20', TOOLKIT_APP[toolkit].nodeText],
  ]);
}

function replaceAll(text: string, pairs: readonly (readonly [string, string])[]): string {
  let result = text;
  for (const [from, to] of pairs) result = result.split(from).join(to);
  return result;
}

function readme(options: ScaffoldOptions): string {
  const live = options.live;
  const t = options.toolkit;
  const kit = TOOLKIT_APP[t];
  const toolkitNote =
    t === 'cdktf'
      ? `CDK for Terraform is deprecated (HashiCorp, 2025-12-10): \`node_modules/${options.dependency.name}/docs/migrating-to-cdktn.md\`\nmoves this app to CDK Terrain with the same state; the first deploy afterwards writes nothing.\n\n`
      : 'CDK Terrain keeps the config file name `cdktf.json` and the output directory `cdktf.out`.\n\n';
  return `# ${options.name}

The Epic telehealth integration on Pexip Infinity, as code: a ${kit.title} app (${kit.nodeText}, Terraform 1.11) built on \`${options.dependency.name}\`, with a \`prod\` stack (production) and a \`nonprod\` stack (non-production).
Made by \`pexip-cdktf init\`.

| File | What it holds |
|---|---|
| \`environments.ts\` | the values that differ per environment (profile name, call domain, web app and Epic URLs, client IDs, rule priority) |
| \`integration.ts\` | the integration itself, the same for every environment |${live ? `\n| \`live-${live.stack}.ts\` | the \`${live.stack}\` integration as exported from ${live.source}, adopted on the first deploy |` : ''}
| \`main.ts\` | the app: one stack per environment, each with its own state |
| \`ci/pipeline.sh\`, \`.github/workflows/\`, \`.gitlab-ci.yml\` | the GitOps pipeline: plan on merge requests, apply on merge (prod after approval), nightly drift check |

## Try it against the simulator first

The package brings a local stand-in for the Pexip Management Node. After \`npm install\`, these three commands deploy the
\`nonprod\` stack to it, with throwaway secrets and the simulator's demo licence:

\`\`\`sh
npx pexip-cdktf simulator --port 8081 --username admin --password try-it &
export PEXIP_ADDRESS=http://127.0.0.1:8081 PEXIP_USERNAME=admin PEXIP_PASSWORD=try-it PEXIP_NONPROD_LICENCE_ENTITLEMENT=DEMO-TELEHEALTH-0001 EPIC_NONPROD_PATIENT_CLIENT_SECRET=try-it-client-secret EPIC_NONPROD_PROVIDER_CLIENT_SECRET=try-it-client-secret EPIC_NONPROD_ENCRYPTION_KEY=$(npx pexip-cdktf keygen --value-only)
npx ${t} deploy nonprod --auto-approve
\`\`\`

Then \`npx pexip-cdktf doctor nonprod\`, \`npx pexip-cdktf plan nonprod\` (no changes) and \`npx ${t} destroy nonprod
--auto-approve\` work against it too; \`kill %1\` stops the simulator, and with it everything deployed to it.

## Next steps

1. \`npm install\`, then \`npx ${t} synth\`. \`cdktf.json\` runs \`main.ts\` through \`${options.dependency.name}\`'s runner, which
   type-checks and compiles it when a source changed and otherwise starts it at once: edits take effect on the next
   \`${t} synth\`, \`diff\` or \`deploy\`, no build step.
2. Fill in the real values in \`environments.ts\`${live ? ` and review \`live-${live.stack}.ts\`` : ''}.
3. \`npx pexip-cdktf keygen\` gives an Epic encryption key; keep it in your vault. Export the secrets by their variant names
   (\`EPIC_NONPROD_PATIENT_CLIENT_SECRET\`, \`EPIC_NONPROD_PROVIDER_CLIENT_SECRET\`, \`EPIC_NONPROD_ENCRYPTION_KEY\`, and
   \`EPIC_PROD_…\` likewise) and the connection (\`PEXIP_ADDRESS\`, \`PEXIP_USERNAME\`, \`PEXIP_PASSWORD\`). A test platform with
   its own Management Node: \`PEXIP_NONPROD_ADDRESS\`, \`PEXIP_NONPROD_USERNAME\`, \`PEXIP_NONPROD_PASSWORD\` (production:
   \`PEXIP_PROD_…\`); each stack then talks only to its own node, and is refused on any other once deployed.
4. \`npx ${t} synth && npx pexip-cdktf secrets check nonprod\`, then
   \`npx pexip-cdktf plan cdktf.out/stacks/nonprod/pexip-desired.json\`: what a deploy would change, per object and field.
5. \`npx ${t} deploy nonprod\`; give Epic the outputs (profile uuid, redirect URLs). Then \`prod\`.
6. For pipelines, set \`PEXIP_CDKTF_PG_CONN_STR\` (shared state with locking, Terraform's \`pg\` backend) and the secrets
   in your CI's secret store; see the comments at the top of the CI files.

${toolkitNote}State: without \`PEXIP_CDKTF_PG_CONN_STR\`, each stack keeps \`terraform.<stack>.tfstate\` beside \`cdktf.json\`. Never
delete it while the integration exists: it records what the stack owns.
`;
}
