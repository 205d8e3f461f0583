import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, type Run, tempDir } from '../helpers/terraform';

/**
 * bin/pexip-cdktf-app.js, the runner cdktf.json calls: compiles the app's TypeScript only when an input changed,
 * with type checking, then runs the compiled entry as the main module.
 */
const ROOT = resolve(__dirname, '..', '..');
const RUNNER = join(ROOT, 'bin', 'pexip-cdktf-app.js');
const COMPILED = /^pexip-cdktf-app: compiled main\.ts in [0-9.]+ s$/m;

let dir: string;
const runner = (...args: string[]): Promise<Run> => run(process.execPath, [RUNNER, ...args], dir, { PATH: process.env.PATH });
const write = (file: string, content: string) => writeFileSync(join(dir, file), content);
// The app's own output: its last line (the runner's "compiled" line, when it compiled, comes before it).
const printed = (result: Run) => JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { value: number; main: boolean; args: string[] };

beforeAll(() => {
  dir = tempDir('pexip-app-runner-');
  // A real node_modules directory (the runner keeps its stamp in node_modules/.cache) holding the compiler and types.
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  write('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: '.', types: ['node'], skipLibCheck: true }, include: ['*.ts'] }));
  // An installed package whose types the app uses.
  mkdirSync(join(dir, 'node_modules', 'fake-lib'));
  write('node_modules/fake-lib/package.json', JSON.stringify({ name: 'fake-lib', version: '1.0.0', types: 'index.d.ts' }));
  write('node_modules/fake-lib/index.d.ts', 'export declare const scale: number;\n');
  write('node_modules/fake-lib/index.js', 'exports.scale = 1;\n');
  write('value.ts', "import { scale } from 'fake-lib';\nexport const value: number = 1 * scale;\n");
  write('main.ts', "import { value } from './value';\nconsole.log(JSON.stringify({ value, main: require.main === module, args: process.argv.slice(2) }));\n");
});

describe('pexip-cdktf-app', () => {
  it('compiles on the first run, then runs the compiled entry as the main module with the remaining arguments', async () => {
    const result = await runner('main.ts', 'synth', '--x');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(COMPILED);
    expect(printed(result)).toEqual({ value: 1, main: true, args: ['synth', '--x'] });
  });

  it('runs without compiling when nothing changed', async () => {
    const result = await runner('main.ts');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(printed(result).value).toBe(1);
  });

  it('type-checks again when a package the app uses was reinstalled (its package.json changed)', async () => {
    // Same size and content shape, as an upgrade from 1.0.0 to 1.0.1 would be; the new types no longer fit.
    write('node_modules/fake-lib/index.d.ts', 'export declare const scale: string;\n');
    expect((await runner('main.ts')).code).toBe(0);
    write('node_modules/fake-lib/package.json', JSON.stringify({ name: 'fake-lib', version: '1.0.1', types: 'index.d.ts' }));
    const result = await runner('main.ts');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("value.ts(2,34): error TS2363: The right-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.");
    write('node_modules/fake-lib/index.d.ts', 'export declare const scale: number;\n');
    write('node_modules/fake-lib/package.json', JSON.stringify({ name: 'fake-lib', version: '1.0.2', types: 'index.d.ts' }));
  });

  it('picks up an edited source on the next run', async () => {
    write('value.ts', "import { scale } from 'fake-lib';\nexport const value: number = 2 * scale;\n");
    const result = await runner('main.ts');
    expect(result.stdout).toMatch(COMPILED);
    expect(printed(result).value).toBe(2);
  });

  it('stops on a type error with the file, line and message, exit 1, and runs nothing (not even the old output)', async () => {
    write('value.ts', "export const value: number = 'three';\n");
    const result = await runner('main.ts');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('pexip-cdktf-app: main.ts does not compile (1 error); nothing was run.');
    expect(result.stderr).toContain("value.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.");
    // Still failing on the next run: a failed compilation leaves the stamp as it was.
    expect((await runner('main.ts')).code).toBe(1);
    write('value.ts', 'export const value: number = 3;\n');
    expect(printed(await runner('main.ts')).value).toBe(3);
  });

  it('compiles again when an output was deleted, although the incremental build info says it is up to date', async () => {
    rmSync(join(dir, 'dist', 'value.js'));
    const result = await runner('main.ts');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(COMPILED);
    expect(printed(result).value).toBe(3);
  });

  it('explains what is wrong with its arguments and the project', async () => {
    expect((await runner()).stderr).toBe('usage: pexip-cdktf-app [--project <tsconfig.json>] <entry.ts> [app arguments…]\n');
    expect((await runner('nope.ts')).stderr).toMatch(/^pexip-cdktf-app: nope\.ts: no such file \(relative to .*\)\.\n$/);
    write('noout.json', JSON.stringify({ compilerOptions: { strict: true }, include: ['*.ts'] }));
    const result = await runner('--project', 'noout.json', 'main.ts');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('pexip-cdktf-app: noout.json has no compilerOptions.outDir; set one (e.g. "dist") so compiled files stay out of the sources.\n');
  });
});
