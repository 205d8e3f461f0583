import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, terraform } from '../helpers/terraform';

/**
 * Pins down, with the real terraform binary, every provisioner fact design.md's carrier model relies on. If a
 * Terraform upgrade changes one of them, this fails before the carriers silently misbehave.
 */

type Resource = { input?: unknown; triggers_replace?: unknown; depends_on?: string[]; lifecycle?: unknown; provisioner?: unknown[] };

function logging(name: string, when: 'create' | 'destroy', fail = false): unknown {
  return {
    'local-exec': {
      ...(when === 'destroy' ? { when: 'destroy' } : {}),
      command: `echo "${when} ${name} $V $INHERITED" >> log.txt${fail ? '; test -e allow-' + name + ' || exit 3' : ''}`,
      environment: { V: '${jsonencode(self.input)}' },
    },
  };
}

function write(dir: string, resources: Record<string, Resource>): void {
  // Terraform refuses an empty resource-type object: an empty configuration is written as `{}`.
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(Object.keys(resources).length > 0 ? { resource: { terraform_data: resources } } : {}, null, 2));
}

const log = (dir: string) => {
  try {
    return readFileSync(join(dir, 'log.txt'), 'utf8').trim().split('\n').map((line) => line.trimEnd());
  } catch {
    return [];
  }
};

async function apply(dir: string, env: NodeJS.ProcessEnv = {}) {
  return terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], env);
}

let dir: string;
beforeEach(async () => {
  dir = tempDir('pexip-tf-facts-');
  write(dir, {});
  expect((await terraform(dir, ['init', '-input=false', '-no-color'])).code).toBe(0);
});

describe('terraform_data provisioners (Terraform 1.11)', () => {
  it('changing only input updates in place and runs no provisioner', async () => {
    write(dir, { a: { input: { v: 1 }, provisioner: [logging('a', 'create'), logging('a', 'destroy')] } });
    await apply(dir);
    write(dir, { a: { input: { v: 2 }, provisioner: [logging('a', 'create'), logging('a', 'destroy')] } });
    const result = await apply(dir);
    expect(result.stdout).toContain('0 added, 1 changed, 0 destroyed');
    expect(log(dir)).toEqual(['create a {"v":1}']);
  });

  it('a triggers_replace change runs the destroy provisioner with the old input, then create with the new', async () => {
    write(dir, { a: { input: { v: 1 }, triggers_replace: { t: '1' }, provisioner: [logging('a', 'create'), logging('a', 'destroy')] } });
    await apply(dir);
    write(dir, { a: { input: { v: 2 }, triggers_replace: { t: '2' }, provisioner: [logging('a', 'create'), logging('a', 'destroy')] } });
    await apply(dir);
    expect(log(dir)).toEqual(['create a {"v":1}', 'destroy a {"v":1}', 'create a {"v":2}']);
  });

  it('with create_before_destroy the destroy provisioner never runs on replacement (so carriers do not use it)', async () => {
    const base = { lifecycle: { create_before_destroy: true }, provisioner: [logging('a', 'create'), logging('a', 'destroy')] };
    write(dir, { a: { ...base, input: { v: 1 }, triggers_replace: { t: '1' } } });
    await apply(dir);
    write(dir, { a: { ...base, input: { v: 2 }, triggers_replace: { t: '2' } } });
    await apply(dir);
    expect(log(dir)).toEqual(['create a {"v":1}', 'create a {"v":2}']);
  });

  it('a resource removed from the configuration is destroyed without its destroy provisioner', async () => {
    write(dir, { a: { input: { v: 1 }, provisioner: [logging('a', 'destroy')] }, b: { input: { v: 1 } } });
    await apply(dir);
    write(dir, { b: { input: { v: 1 } } });
    const result = await apply(dir);
    expect(result.stdout).toContain('0 added, 0 changed, 1 destroyed');
    expect(log(dir)).toEqual([]);
  });

  it('destroy runs destroy provisioners in reverse dependency order, seeing all of self.input and the environment', async () => {
    write(dir, {
      anchor: { input: { stack: 'nonprod', nested: { list: [1, 2] } }, depends_on: ['terraform_data.licence'], provisioner: [logging('anchor', 'destroy')] },
      licence: { input: { entitlement: 'E-1' }, provisioner: [logging('licence', 'destroy')] },
    });
    await apply(dir);
    const result = await terraform(dir, ['destroy', '-auto-approve', '-input=false', '-no-color'], { INHERITED: 'from-terraform-env' });
    expect(result.code).toBe(0);
    expect(log(dir)).toEqual(['destroy anchor {"nested":{"list":[1,2]},"stack":"nonprod"} from-terraform-env', 'destroy licence {"entitlement":"E-1"} from-terraform-env']);
  });

  it('a failing destroy provisioner fails destroy and keeps the resource (not tainted); the next destroy retries it', async () => {
    write(dir, { anchor: { input: { v: 1 }, provisioner: [logging('anchor', 'destroy', true)] } });
    await apply(dir);
    const failed = await terraform(dir, ['destroy', '-auto-approve', '-input=false', '-no-color']);
    expect(failed.code).not.toBe(0);
    const state = await terraform(dir, ['state', 'list']);
    expect(state.stdout.trim()).toBe('terraform_data.anchor');
    const shown = await terraform(dir, ['show', '-no-color']);
    expect(shown.stdout).not.toContain('tainted');
    writeFileSync(join(dir, 'allow-anchor'), '');
    expect((await terraform(dir, ['destroy', '-auto-approve', '-input=false', '-no-color'])).code).toBe(0);
    expect(log(dir)).toEqual(['destroy anchor {"v":1}', 'destroy anchor {"v":1}']);
  });

  it('a failing create provisioner taints the resource; the next apply replaces it without the destroy provisioner', async () => {
    write(dir, { reconciler: { input: { v: 1 }, provisioner: [logging('reconciler', 'create', true), logging('reconciler', 'destroy')] } });
    const failed = await apply(dir);
    expect(failed.code).not.toBe(0);
    expect((await terraform(dir, ['show', '-no-color'])).stdout).toContain('tainted');
    writeFileSync(join(dir, 'allow-reconciler'), '');
    const retried = await apply(dir);
    expect(retried.code).toBe(0);
    expect(log(dir)).toEqual(['create reconciler {"v":1}', 'create reconciler {"v":1}']);
  });

  it('an unchanged apply runs no provisioner', async () => {
    write(dir, { a: { input: { v: 1 }, triggers_replace: { t: '1' }, provisioner: [logging('a', 'create')] } });
    await apply(dir);
    const again = await apply(dir);
    expect(again.stdout).toContain('No changes.');
    expect(log(dir)).toEqual(['create a {"v":1}']);
  });
});
