import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { TerraformStack } from 'cdktf';
import { toolkit } from './toolkit';

/** The file that marks a CDKTF app's directory. */
export const CDKTF_JSON = 'cdktf.json';

/**
 * The app directory: the directory holding the app's `cdktf.json`. Paths the constructs read at synth time (theme and
 * branding `packageDirectory` / `packageFile`) are relative to it, so they mean the same whatever directory a command
 * is started from.
 *
 * How it is found: `cdktf synth|diff|deploy` run the app with the directory of `cdktf.json` as the current directory
 * (cdktf-cli 0.21 refuses to run anywhere else) and pass no variable naming it (only `CDKTF_OUTDIR`,
 * `CDKTF_CONTEXT_JSON` and `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`). So: the nearest directory at or above `from`
 * that holds a `cdktf.json`, which also covers an app started by hand from a subdirectory; `from` itself if none does
 * (unit tests, scripts).
 *
 * @param from where to start looking; default `process.cwd()`.
 */
export function appDirectory(from: string = process.cwd()): string {
  const start = resolve(from);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, CDKTF_JSON))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** The directory Terraform and the provisioners run in for this stack: `<outdir>/stacks/<stack id>`. */
export function stackDirectory(stack: TerraformStack): string {
  return resolve(toolkit().lib.App.of(stack).outdir, 'stacks', stack.node.id);
}

/**
 * A path as Terraform and the provisioners must see it: relative to the stack directory, where they run. Use it for
 * anything that goes into the synthesized stack, e.g. a local state file beside `cdktf.json`:
 * `new LocalBackend(stack, { path: pathFromStackDirectory(stack, 'terraform.prod.tfstate') })`. A relative path keeps
 * the synthesized stack independent of where the app is checked out, so `cdktf.out` can move (a CI artifact) together
 * with the app.
 *
 * @param path relative to `base` (or absolute).
 * @param base default: the app directory.
 */
export function pathFromStackDirectory(stack: TerraformStack, path: string, base: string = appDirectory()): string {
  return relative(stackDirectory(stack), resolve(base, path));
}
