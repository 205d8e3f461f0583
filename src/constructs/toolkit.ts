import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../api/errors';
import type { IConstruct } from 'constructs';
import { ownPackage } from '../util/own-package';
import { appDirectory } from './app-dir';

/**
 * The CDK toolkit the app is built with: CDK for Terraform (`cdktf`, deprecated by HashiCorp on 2025-12-10) or its
 * continuation CDK Terrain (`cdktn`). Both are optional peer dependencies of this package; the app has exactly one.
 *
 * Every construct class this package uses comes from the app's own copy of the toolkit (and the `constructs` that copy
 * uses): a construct tree compares classes (`instanceof`), so a stack built on another copy than the app's `App`
 * would not be part of its synthesis. Both toolkits have the same surface here (`App`, `TerraformStack`,
 * `DataResource`, `TerraformOutput`, `Aspects`, backends, `addCustomSynthesis`); the types are cdktf's.
 */
export type ToolkitName = 'cdktf' | 'cdktn';

/** The library versions this package is tested with, by `major.minor` (both toolkits are 0.x: a minor may break). */
export const SUPPORTED_TOOLKITS: Readonly<Record<ToolkitName, string>> = { cdktf: '0.21', cdktn: '0.24' };

/** Overrides the choice when an app has both installed and its package.json does not settle it. */
export const TOOLKIT_ENV = 'PEXIP_CDK_TOOLKIT';

export type ToolkitModule = typeof import('cdktf');
type SynthesizerModule = typeof import('cdktf/lib/synthesize/synthesizer');
type ConstructsModule = typeof import('constructs');

export interface Toolkit {
  readonly name: ToolkitName;
  readonly version: string;
  /** The toolkit's package directory. */
  readonly root: string;
  readonly lib: ToolkitModule;
  readonly synthesizer: SynthesizerModule;
  /** The `constructs` package the toolkit itself uses. */
  readonly constructs: ConstructsModule;
}

/** No toolkit, an unsupported version, or an ambiguous choice. */
export class ToolkitError extends ConfigError {}

const NAMES: readonly ToolkitName[] = ['cdktf', 'cdktn'];
const BOTH = `cdktf ${SUPPORTED_TOOLKITS.cdktf} (CDK for Terraform) or cdktn ${SUPPORTED_TOOLKITS.cdktn} (CDK Terrain)`;

let chosen: Toolkit | undefined;
let problem: ToolkitError | undefined;

/**
 * The app's toolkit, resolved once per process (see `resolveToolkit`). Without a usable one, a stand-in whose every
 * class and function throws the reason when used: a program that only drives Pexip (client, engine, simulator) still
 * loads the package, and an app fails at its first construct, naming both toolkits.
 */
export function toolkit(): Toolkit {
  if (!chosen) {
    try {
      chosen = resolveToolkit();
    } catch (error) {
      if (!(error instanceof ToolkitError)) throw error;
      problem = error;
      chosen = unavailableToolkit(error);
    }
  }
  return chosen;
}

/** Why there is no usable toolkit, if there is none. */
export function toolkitProblem(): ToolkitError | undefined {
  toolkit();
  return problem;
}

/** A toolkit whose classes can be extended (at load) but throw `error` when constructed or called. */
export function unavailableToolkit(error: ToolkitError): Toolkit {
  // A plain function, not an arrow: classes can extend it; `super()` then throws.
  const unavailable = function unavailable(): never {
    throw error;
  };
  const stand = <T>() => new Proxy({}, { get: () => unavailable }) as T;
  return { name: 'cdktf', version: 'none', root: '', lib: stand<ToolkitModule>(), synthesizer: stand<SynthesizerModule>(), constructs: stand<ConstructsModule>() };
}

function packageJson(file: string): { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
}

/** Where `name` resolves from `dir`, as the app's own `require(name)` would find it; undefined if it does not. */
function locate(name: ToolkitName, dir: string): string | undefined {
  try {
    return dirname(createRequire(join(dir, 'noop.js')).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The toolkits the app's nearest package.json (at or above `dir`) depends on. */
function declaredBy(dir: string): ToolkitName[] | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      const json = packageJson(file);
      return NAMES.filter((n) => json.dependencies?.[n] !== undefined || json.devDependencies?.[n] !== undefined);
    }
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Which toolkit, found from the app directory (the directory of `cdktf.json`, where both CLIs run the app):
 * `PEXIP_CDK_TOOLKIT` if set; else the only one installed; if both are installed, the only one the app's package.json
 * depends on. Otherwise a `ToolkitError` names both and how to settle it. Only if neither resolves from the app
 * directory is the one beside this package taken (`pexip-cdktf init`, run by npx outside any app).
 *
 * @param dir the app directory; default `appDirectory()`.
 * @param env default `process.env`.
 * @param beside where to look when the app directory has neither; default this package's root.
 */
export function resolveToolkit(dir: string = appDirectory(), env: NodeJS.ProcessEnv = process.env, beside: string = ownPackage().root): Toolkit {
  const forced = env[TOOLKIT_ENV];
  if (forced !== undefined && forced !== '' && !NAMES.includes(forced as ToolkitName)) {
    throw new ToolkitError(`${TOOLKIT_ENV} must be "cdktf" or "cdktn" (got "${forced}").`, { field: TOOLKIT_ENV });
  }
  const found = (from: string) => NAMES.map((name) => ({ name, root: locate(name, from) })).filter((t): t is { name: ToolkitName; root: string } => t.root !== undefined);
  // Beside this package if not from the app directory: `npx -p pexip-telehealth-cdktf -p cdktn pexip-cdktf init`.
  let installed = found(dir);
  if (installed.length === 0) installed = found(beside);
  let pick: { name: ToolkitName; root: string } | undefined;
  if (forced) {
    pick = installed.find((t) => t.name === forced);
    if (!pick) throw new ToolkitError(`${TOOLKIT_ENV}=${forced}, but ${forced} is not installed in ${dir} (npm install ${forced}@^${SUPPORTED_TOOLKITS[forced as ToolkitName]}.0).`, { field: TOOLKIT_ENV });
  } else if (installed.length === 1) {
    pick = installed[0];
  } else if (installed.length === 0) {
    throw new ToolkitError(
      `pexip-telehealth-cdktf needs ${BOTH} in the app, and neither is installed in ${dir}. ` +
        `New apps: npm install cdktn@^${SUPPORTED_TOOLKITS.cdktn}.0 cdktn-cli@^${SUPPORTED_TOOLKITS.cdktn}.0; existing cdktf apps keep cdktf@^${SUPPORTED_TOOLKITS.cdktf}.0.`,
    );
  } else {
    const declared = declaredBy(dir) ?? [];
    if (declared.length === 1) pick = installed.find((t) => t.name === declared[0]);
    if (!pick) {
      throw new ToolkitError(
        `both cdktf and cdktn are installed in ${dir} and the app's package.json does not depend on exactly one of them; ` +
          `pexip-telehealth-cdktf must build its constructs with the toolkit the app's App comes from: keep one (${BOTH}) or set ${TOOLKIT_ENV}=cdktf|cdktn.`,
      );
    }
  }
  return load(pick.name, pick.root);
}

function load(name: ToolkitName, root: string): Toolkit {
  const version = packageJson(join(root, 'package.json')).version ?? '?';
  if (!version.startsWith(`${SUPPORTED_TOOLKITS[name]}.`)) {
    throw new ToolkitError(`${name} ${version} is installed (${root}), but pexip-telehealth-cdktf supports ${BOTH}.`);
  }
  const from = createRequire(join(root, 'package.json'));
  return {
    name,
    version,
    root,
    lib: from(root) as ToolkitModule,
    synthesizer: from(join(root, 'lib', 'synthesize', 'synthesizer')) as SynthesizerModule,
    constructs: from('constructs') as ConstructsModule,
  };
}

/**
 * Refuses a scope whose `App` comes from another toolkit or another copy of it than the one this package resolved:
 * such a stack would fail or vanish from the synthesis in ways that do not name the cause.
 */
export function checkSameToolkit(scope: IConstruct): void {
  const tk = toolkit();
  if (problem) throw problem;
  const root = scope.node.root;
  if (root instanceof tk.lib.App || !(Symbol.for('cdktf/App') in root)) return;
  throw new ToolkitError(
    `${scope.node.path || 'app'}: the app's App comes from another toolkit or another copy than pexip-telehealth-cdktf's constructs, ` +
      `which use ${tk.name} ${tk.version} from ${tk.root}. Import App from that one (${BOTH}; exactly one installed in the app).`,
  );
}
