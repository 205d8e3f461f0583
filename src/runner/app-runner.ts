import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
// Type-only: TypeScript is loaded from the app's own installation, and only when something has to be compiled.
import type * as TS from 'typescript';
import { ownPackage } from '../util/own-package';

/**
 * The app runner: what a CDKTF app's `cdktf.json` calls instead of `node dist/main.js` (or ts-node), so that an edit
 * to the app's TypeScript takes effect on the next `cdktf synth|diff|deploy`:
 *
 *   "app": "node -e \"require('pexip-telehealth-cdktf/app').run()\" -- main.ts"
 *
 * It compares the modification and change times and sizes of every input of the last compilation (the app's sources,
 * its tsconfig files, and the package.json of every package whose types it used) with a stamp. Nothing changed: it
 * runs the compiled entry at once (a stat per input; TypeScript is not even loaded). Something changed: it compiles
 * the tsconfig project with the app's own TypeScript, incrementally and with type checking; on an error it prints the
 * diagnostics and exits 1 without running anything, else it rewrites the stamp and runs the new output.
 */

/** Stamp format; a runner that finds another format compiles again. */
const STAMP_FORMAT = 1;
const NAME = 'pexip-cdktf-app';

/** [mtimeMs, ctimeMs, size]: ctime too, because installs and some tools restore old modification times. */
type FileVersion = readonly [number, number, number];

interface Stamp {
  readonly format: number;
  /** This package's version: a new runner compiles again. */
  readonly runner: string;
  /** Paths relative to the stamp's base (the directory above the cache's node_modules), `/`-separated. */
  readonly tsconfig: string;
  readonly entry: string;
  /** The compiled entry. */
  readonly output: string;
  /** Every JavaScript file the project emits: all must still exist. */
  readonly outputs: readonly string[];
  readonly inputs: Readonly<Record<string, FileVersion>>;
}

/** What `prepare` did. */
export interface Prepared {
  /** Absolute path of the compiled entry. */
  readonly output: string;
  /** Whether the TypeScript compiler ran. */
  readonly compiled: boolean;
  /** Number of inputs compared with the stamp (or recorded in the new one). */
  readonly inputs: number;
}

/** A compilation failed; the message holds the formatted diagnostics. */
export class AppCompileError extends Error {}

function version(): string {
  return ownPackage().version;
}

function fileVersion(path: string): FileVersion | undefined {
  try {
    const s = statSync(path);
    return [s.mtimeMs, s.ctimeMs, s.size];
  } catch {
    return undefined;
  }
}

const slash = (path: string) => path.split(sep).join('/');

/** The nearest directory at or above `from` holding `name`, or undefined. */
function findUp(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function writeAtomically(path: string, content: string): void {
  // Two cdktf commands may compile the same app at once: readers must see the old file or the new one, never half.
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

interface Project {
  /** Absolute paths. */
  readonly entry: string;
  readonly tsconfig: string;
  /** Directory the stamp's paths are relative to. */
  readonly base: string;
  readonly stampFile: string;
}

function locate(entry: string, tsconfig: string | undefined, cwd: string): Project {
  const entryPath = resolve(cwd, entry);
  if (!existsSync(entryPath)) throw new AppCompileError(`${NAME}: ${entry}: no such file (relative to ${cwd}).`);
  let tsconfigPath: string;
  if (tsconfig !== undefined) {
    tsconfigPath = resolve(cwd, tsconfig);
    if (!existsSync(tsconfigPath)) throw new AppCompileError(`${NAME}: ${tsconfig}: no such file (relative to ${cwd}).`);
  } else {
    const dir = findUp(dirname(entryPath), 'tsconfig.json');
    if (!dir) throw new AppCompileError(`${NAME}: no tsconfig.json in ${dirname(entryPath)} or above; give one with --project.`);
    tsconfigPath = join(dir, 'tsconfig.json');
  }
  // The stamp lives in node_modules/.cache, like other tools' caches: never committed, gone with a clean install.
  const modules = findUp(dirname(tsconfigPath), 'node_modules') ?? dirname(tsconfigPath);
  const key = encodeURIComponent(slash(relative(modules, entryPath)));
  return { entry: entryPath, tsconfig: tsconfigPath, base: modules, stampFile: join(modules, 'node_modules', '.cache', NAME, `${key}.json`) };
}

function readStamp(project: Project): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(project.stampFile, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** Whether the last compilation is still good: same runner and project, every input unchanged, every output there. */
function isFresh(stamp: Stamp | undefined, project: Project): stamp is Stamp {
  if (!stamp || stamp.format !== STAMP_FORMAT || stamp.runner !== version()) return false;
  if (stamp.entry !== slash(relative(project.base, project.entry)) || stamp.tsconfig !== slash(relative(project.base, project.tsconfig))) return false;
  for (const [path, recorded] of Object.entries(stamp.inputs)) {
    const now = fileVersion(resolve(project.base, path));
    if (!now || now[0] !== recorded[0] || now[1] !== recorded[1] || now[2] !== recorded[2]) return false;
  }
  return stamp.outputs.every((path) => existsSync(resolve(project.base, path)));
}

function loadTypeScript(dir: string): typeof TS {
  let path: string;
  try {
    path = require.resolve('typescript', { paths: [dir] });
  } catch {
    throw new AppCompileError(`${NAME}: TypeScript is not installed for ${dir}: npm install --save-dev typescript@5`);
  }
  const ts = require(path) as typeof TS;
  // TypeScript 7 (the native port) has no compiler API in JavaScript; the runner needs 5's.
  if (typeof ts.createIncrementalProgram !== 'function') throw new AppCompileError(`${NAME}: typescript@${String(ts.version)} has no compiler API the runner can use; install typescript@5 (npm install --save-dev typescript@5).`);
  return ts;
}

/** The file to watch for a source file: itself, or for a package's types its package.json (an install rewrites it). */
function watchedFile(fileName: string): string {
  const parts = fileName.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return fileName;
  // node_modules/<name>/… or node_modules/@<scope>/<name>/…
  const length = parts[at + 1]?.startsWith('@') ? 3 : 2;
  return [...parts.slice(0, at + length), 'package.json'].join('/');
}

function formatted(ts: typeof TS, diagnostics: readonly TS.Diagnostic[], cwd: string): string {
  const host: TS.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => '\n',
  };
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  return color ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
}

function compile(project: Project, stale: Stamp | undefined, cwd: string): { stamp: Stamp; inputs: number } {
  const ts = loadTypeScript(dirname(project.tsconfig));
  const configErrors: TS.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(project.tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) });
  const relativeTsconfig = relative(cwd, project.tsconfig);
  if (!parsed || configErrors.length > 0) throw new AppCompileError(`${NAME}: cannot read ${relativeTsconfig}:\n${formatted(ts, configErrors, cwd)}`);
  if (parsed.options.noEmit) throw new AppCompileError(`${NAME}: ${relativeTsconfig} sets noEmit; the runner needs compiled output.`);
  if (!parsed.options.outDir) throw new AppCompileError(`${NAME}: ${relativeTsconfig} has no compilerOptions.outDir; set one (e.g. "dist") so compiled files stay out of the sources.`);
  const rootNames = parsed.fileNames.map((f) => resolve(f));
  if (!rootNames.includes(project.entry)) throw new AppCompileError(`${NAME}: ${relative(cwd, project.entry)} is not part of ${relativeTsconfig} (its "files"/"include").`);
  const options: TS.CompilerOptions = { ...parsed.options, incremental: parsed.options.incremental ?? true };
  // An output deleted behind the compiler's back: incremental build info would claim it is still there.
  if (stale && stale.outputs.some((p) => !existsSync(resolve(project.base, p)))) {
    const info = ts.getTsBuildInfoEmitOutputFilePath(options);
    if (info) rmSync(info, { force: true });
  }
  const program = ts.createIncrementalProgram({
    rootNames,
    options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    host: ts.createIncrementalCompilerHost(options),
  });
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new AppCompileError(
      `${NAME}: ${relative(cwd, project.entry)} does not compile (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was run.\n\n${formatted(ts, diagnostics, cwd)}`,
    );
  }
  const emitted = program.emit(undefined, (fileName, text) => writeAtomically(fileName, text));
  if (emitted.emitSkipped) throw new AppCompileError(`${NAME}: the compiler emitted nothing.\n${formatted(ts, emitted.diagnostics, cwd)}`);

  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const js = (file: string) => ts.getOutputFileNames(parsed, file, ignoreCase).filter((o) => /\.[cm]?js$/.test(o));
  const output = js(project.entry)[0];
  if (!output) throw new AppCompileError(`${NAME}: ${relative(cwd, project.entry)} produces no JavaScript output.`);
  const outputs = rootNames.filter((f) => !/\.d\.[cm]?ts$/.test(f)).flatMap(js);

  const watched = new Set<string>([project.tsconfig, ...((parsed.options.configFile as TS.TsConfigSourceFile | undefined)?.extendedSourceFiles ?? [])].map((f) => slash(resolve(f))));
  // The default libraries belong to TypeScript itself: its package.json stands for them.
  watched.add(slash(join(dirname(require.resolve('typescript/package.json', { paths: [dirname(project.tsconfig)] })), 'package.json')));
  const inner = program.getProgram();
  for (const file of inner.getSourceFiles()) {
    if (!inner.isSourceFileDefaultLibrary(file)) watched.add(watchedFile(file.fileName));
  }
  const inputs: Record<string, FileVersion> = {};
  for (const file of watched) {
    const now = fileVersion(file);
    if (now) inputs[slash(relative(project.base, file))] = now;
  }
  const rel = (p: string) => slash(relative(project.base, resolve(p)));
  return {
    stamp: {
      format: STAMP_FORMAT,
      runner: version(),
      tsconfig: rel(project.tsconfig),
      entry: rel(project.entry),
      output: rel(output),
      outputs: outputs.map(rel),
      inputs,
    },
    inputs: watched.size,
  };
}

/**
 * Makes sure the compiled entry is up to date with its sources and returns where it is. Compiles (with type checking)
 * only when an input changed since the last compilation.
 *
 * @param entry the app's entry, e.g. `main.ts`, relative to `cwd`.
 * @param options `tsconfig`: the project file (default: the nearest tsconfig.json above the entry); `cwd`: default
 *   `process.cwd()`, which cdktf sets to the app directory.
 * @throws AppCompileError with the compiler's diagnostics.
 */
export function prepare(entry: string, options: { tsconfig?: string; cwd?: string } = {}): Prepared {
  const cwd = options.cwd ?? process.cwd();
  const project = locate(entry, options.tsconfig, cwd);
  const stamp = readStamp(project);
  if (isFresh(stamp, project)) return { output: resolve(project.base, stamp.output), compiled: false, inputs: Object.keys(stamp.inputs).length };
  const started = Date.now();
  const result = compile(project, stamp, cwd);
  writeAtomically(project.stampFile, `${JSON.stringify(result.stamp)}\n`);
  // stdout: cdktf shows an app's stderr as "[ERROR]", which this line is not.
  process.stdout.write(`${NAME}: compiled ${relative(cwd, project.entry)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { output: resolve(project.base, result.stamp.output), compiled: true, inputs: result.inputs };
}

const USAGE = `usage: ${NAME} [--project <tsconfig.json>] <entry.ts> [app arguments…]\n`;

/**
 * The runner as a program (the package's `./app` export and `bin/pexip-cdktf-app.js`): prepares the entry, then runs
 * the compiled file in this process as the main module, so `require.main === module` holds there as under `node`.
 * On a compile error it prints the diagnostics and sets exit code 1.
 *
 * @param argv default: what follows the script, or, under `node -e`, what follows the evaluated code.
 */
export function run(argv: readonly string[] = process.argv.slice(require.main ? 2 : 1)): void {
  let args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let tsconfig: string | undefined;
  if (args[0] === '--project' || args[0] === '-p') {
    tsconfig = args[1];
    args = args.slice(2);
  }
  const [entry, ...rest] = args;
  if (entry === undefined || entry.startsWith('-') || (tsconfig !== undefined && tsconfig.startsWith('-'))) {
    process.stderr.write(USAGE);
    process.exitCode = 1;
    return;
  }
  let prepared: Prepared;
  try {
    prepared = prepare(entry, { tsconfig });
  } catch (error) {
    if (!(error instanceof AppCompileError)) throw error;
    process.stderr.write(`${error.message.trimEnd()}\n`);
    process.exitCode = 1;
    return;
  }
  process.argv = [process.argv[0], prepared.output, ...rest];
  Module.runMain();
}

