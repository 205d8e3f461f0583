import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Aspects, type IAspect, type ITerraformDependable, type TerraformResource, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct, type IConstruct } from 'constructs';
import { ConfigError } from '../api/errors';
import { DESIRED_SET_FORMAT, type DesiredSet, defaultVariant, desiredSetHash, validateDesiredSet } from '../engine/desired';
import type { Environment } from '../epic/secret-variants';
import { STACK_NAME } from '../kinds/ownership';
import { appDirectory, stackDirectory } from './app-dir';
import { type Carrier, type CarrierType, carrierFor } from './carriers';
import { defaultCliCommand } from './cli-command';
import type { PackageContent } from './package';
import { desiredSetError, type PropSource } from './prop-errors';
import { checkAtSynth } from './synth-drift';
import { VARIANT_WORD } from '../api/settings';

/** The desired-set file each stack writes next to its cdk.tf.json; the reconciler reads it. */
export const DESIRED_SET_FILE = 'pexip-desired.json';

export interface PexipStackProps {
  /**
   * Which Epic environment this stack configures. Secret references must carry the matching variant
   * (`…_PROD_…` for production, `…_NONPROD_…` for non-production), or synth fails.
   */
  readonly environment: Environment;
  /**
   * The Terraform resource type that carries the state: `terraform_data` (default; built into Terraform, no provider
   * download) or `null_resource` (needs the hashicorp/null provider).
   */
  readonly carrier?: CarrierType;
  /**
   * How provisioners run the CLI. Default: `node -e "require('pexip-telehealth-cdktf/cli').run()" --`, which finds the
   * package in the `node_modules` of the app holding `cdktf.out` (Terraform runs provisioners in
   * `cdktf.out/stacks/<stack>`). Override it when `cdktf.out` lies outside the app, e.g. `npx pexip-cdktf`.
   */
  readonly cliCommand?: string;
  /**
   * The directory relative paths in constructs (theme and branding packages) are resolved against. Default:
   * `appDirectory()`, the directory holding the app's `cdktf.json`.
   */
  readonly appDirectory?: string;
  /**
   * The stack's variant word (upper case, e.g. `SITE_A`): the word in its own connection variables,
   * `PEXIP_<VARIANT>_ADDRESS`, `PEXIP_<VARIANT>_USERNAME`, … (used instead of `PEXIP_ADDRESS` and the rest when
   * `PEXIP_<VARIANT>_ADDRESS` is set). Default: `PROD` for production, `NONPROD` for non-production. Give each stack
   * on its own Management Node its own word (a fleet: one per site).
   */
  readonly variant?: string;
  /**
   * Move the stack to another Management Node: the node's identity as `pexip-cdktf doctor` and the refusal message
   * show it (`<hostname>.<domain> (<address>)`). A deployed stack is bound to the node it was first deployed to, and a
   * deploy against any other is refused before any write; with this set, the stack is bound to this node instead.
   * Keep it while the stack lives there. Default: none.
   */
  readonly moveToNode?: string;
}

/** What a declared object hands the stack. */
export interface StackMember {
  readonly node: Construct['node'];
  readonly logicalId: string;
  toDesired(): DesiredSet['objects'][number];
  /** The prop behind a wire field (or desired-object option) of this object, so errors name what the user wrote. */
  sourceOf(field: string): PropSource;
  /** The package to copy next to the desired set, if any. */
  readonly packageContent?: PackageContent;
  /** The Terraform resource the reconciler waits for. */
  readonly carrierResource: ITerraformDependable;
  /** Licences: the action carrier the anchor and reconciler order themselves against. */
  readonly isLicence?: boolean;
}

/**
 * A Terraform stack that declares Pexip objects for one environment. Each object gets a declaration carrier; the
 * stack adds one reconciler (runs `pexip-cdktf reconcile` whenever the desired set changes) and one anchor (runs
 * `pexip-cdktf remove` on `cdktf destroy`).
 */
export class PexipStack extends TerraformStack {
  /** The PexipStack a construct belongs to; throws a clear error outside one. */
  static of(construct: IConstruct): PexipStack {
    const stack = construct.node.scopes.find((s): s is PexipStack => s instanceof PexipStack);
    if (!stack) throw new Error(`${construct.node.path}: Pexip constructs must be created inside a PexipStack (new PexipStack(app, 'prod', { environment: 'production' })).`);
    return stack;
  }

  readonly environment: Environment;
  readonly carrier: Carrier;
  /** The shell command provisioners use to run the CLI. */
  readonly cliCommand: string;
  /** The absolute directory relative paths in constructs are resolved against (see `PexipStackProps.appDirectory`). */
  readonly appDirectory: string;
  /** The word in the stack's own connection variables (`PEXIP_<variant>_ADDRESS`). */
  readonly variant: string;
  /**
   * The record in Terraform state of the node the stack lives on (set at synthesis from the node its settings reach,
   * then kept as state has it): the carriers that write hand it to the CLI, which refuses any other node.
   */
  readonly binding: TerraformResource;
  /** The record of the convergence token: a new token replaces the reconciler (synth-drift.ts). */
  private readonly convergence: TerraformResource;
  private readonly moveToNode?: string;
  private readonly members: StackMember[] = [];
  private validated?: { set: DesiredSet; hash: string };
  private finalised = false;

  constructor(scope: Construct, id: string, props: PexipStackProps) {
    super(scope, id);
    if (!STACK_NAME.test(id)) throw new Error(`${this.node.path}: stack id must match ${STACK_NAME.source} (it is recorded on every Pexip object).`);
    if (props.environment !== 'production' && props.environment !== 'non-production') {
      throw new Error(`${this.node.path}: environment must be "production" or "non-production".`);
    }
    this.environment = props.environment;
    this.carrier = carrierFor(props.carrier ?? 'terraform_data');
    this.cliCommand = props.cliCommand ?? defaultCliCommand();
    this.appDirectory = props.appDirectory !== undefined ? resolve(props.appDirectory) : appDirectory();
    if (props.variant !== undefined && !VARIANT_WORD.test(props.variant)) throw new Error(`${this.node.path}: variant must be an upper-case word like PROD, NONPROD or SITE_A (got "${props.variant}"); it names the stack's connection variables PEXIP_<variant>_ADDRESS and the rest.`);
    this.variant = props.variant ?? defaultVariant(props.environment);
    if (props.moveToNode !== undefined && (typeof props.moveToNode !== 'string' || props.moveToNode.trim() === '' || /[\u0000-\u001f"$`\\]/.test(props.moveToNode))) {
      throw new Error(`${this.node.path}: moveToNode must be a node identity as pexip-cdktf doctor shows it, e.g. "mgmt.example.org (10.0.0.5)".`);
    }
    this.moveToNode = props.moveToNode?.trim().toLowerCase();
    this.binding = this.carrier.recordCarrier(this, 'pexip-binding');
    this.convergence = this.carrier.recordCarrier(this, 'pexip-convergence');
    const stack = this;
    const finalise: IAspect = {
      visit(node) {
        if (node === stack) stack.finalise();
      },
    };
    Aspects.of(this).add(finalise);
  }

  /** Registers a declared object (called by the constructs). */
  register(member: StackMember): void {
    if (this.validated) throw new Error(`${member.node.path}: declared after the stack was synthesized.`);
    const twin = this.members.find((m) => m.logicalId === member.logicalId);
    if (twin) throw new Error(`${member.node.path}: logical id "${member.logicalId}" is also used by ${twin.node.path}.`);
    this.members.push(member);
  }

  /**
   * The desired set of this stack, validated (a synth error names the construct and prop). Nothing may be declared
   * after it was asked for; asking does not talk to Pexip (the drift check belongs to synthesis).
   */
  desiredSet(): DesiredSet {
    return this.validate().set;
  }

  private validate(): { set: DesiredSet; hash: string } {
    if (this.validated) return this.validated;
    // Where the app is, seen from the stack directory: secret files are relative to it (and confined to it) at apply.
    const appDir = relative(stackDirectory(this), this.appDirectory).split(sep).join('/') || '.';
    const variant = this.variant !== defaultVariant(this.environment) ? { variant: this.variant } : {};
    const set: DesiredSet = { format: DESIRED_SET_FORMAT, stack: this.node.id, environment: this.environment, appDir, ...variant, objects: this.members.map((m) => m.toDesired()) };
    try {
      validateDesiredSet(JSON.parse(JSON.stringify(set)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw desiredSetError(this.node.path, this.members, error);
    }
    this.validated = { set, hash: desiredSetHash(set) };
    return this.validated;
  }

  /** At synthesis: the drift check, the stack's carriers, and the desired-set file written next to cdk.tf.json. */
  private finalise(): void {
    if (this.finalised) return;
    const { set, hash } = this.validate();
    this.finalised = true;
    const check = checkAtSynth(set);
    // stdout: cdktf shows an app's stdout as it is, but flags every stderr line as an [ERROR].
    if (check.message) process.stdout.write(`${check.message}\n`);
    this.recordBinding(check.node);
    this.carrier.record(this.convergence, check.converge === undefined ? { input: { converge: '' }, keep: 'input' } : { input: { converge: check.converge } });
    this.addCarriers(hash);
    const files = new Construct(this, 'pexip-files');
    addCustomSynthesis(files, {
      onSynthesize: (session) => {
        const stackDir = join(session.outdir, dirname(session.manifest.forStack(this).synthesizedStackPath));
        mkdirSync(join(stackDir, 'pexip-packages'), { recursive: true });
        writeFileSync(join(stackDir, DESIRED_SET_FILE), `${JSON.stringify(set, null, 2)}\n`);
        for (const member of this.members) {
          if (member.packageContent) writeFileSync(join(stackDir, member.packageContent.path), member.packageContent.content);
        }
      },
    });
  }

  /**
   * The binding: the node the first deploy reached (or `moveToNode`), kept as state has it afterwards. A synth that
   * could not tell which node it reached keeps everything, so a first deploy made offline binds on the next one.
   */
  private recordBinding(reached: string | undefined): void {
    const node = this.moveToNode ?? reached;
    if (node === undefined) {
      this.carrier.record(this.binding, { input: { node: '' }, triggers: { bound: 'no' }, keep: 'all' });
      return;
    }
    this.carrier.record(this.binding, { input: { node }, triggers: { bound: 'yes', ...(this.moveToNode ? { moved_to: this.moveToNode } : {}) }, keep: 'input' });
  }

  private addCarriers(hash: string): void {
    const licences = this.members.filter((m) => m.isLicence).map((m) => m.carrierResource);
    const bound = this.carrier.read(this.binding, 'node');
    const anchor = this.carrier.action(this, 'pexip-anchor', {
      triggers: { stack: this.node.id },
      input: { stack: this.node.id, variant: this.variant, node: bound },
      destroy: {
        command: `${this.cliCommand} remove --stack "$PEXIP_CDKTF_STACK" --variant "$PEXIP_CDKTF_VARIANT" --bound-node "$PEXIP_CDKTF_BOUND_NODE"`,
        environment: { PEXIP_CDKTF_STACK: this.carrier.self('stack'), PEXIP_CDKTF_VARIANT: this.carrier.selfOrEmpty('variant'), PEXIP_CDKTF_BOUND_NODE: this.carrier.selfOrEmpty('node') },
      },
      dependsOn: [this.binding, ...licences],
    });
    // The reconcile waits for the licence to be claimed. Not for the declarations: they run no provisioner, so their
    // order does not matter, and a depends_on listing them all makes every Terraform plan much slower.
    // A new convergence token (something declared is not live, or the records disagree) replaces the reconciler, so
    // the deploy converges; in sync the token is unchanged and plans stay clean.
    this.carrier.action(this, 'pexip-reconciler', {
      triggers: { desired_set_sha256: hash },
      input: { desired_set_sha256: hash },
      create: {
        command: `${this.cliCommand} reconcile ${DESIRED_SET_FILE} --expect-hash ${hash} --bound-node "$PEXIP_CDKTF_BOUND_NODE" --converge "$PEXIP_CDKTF_CONVERGE"`,
        environment: { PEXIP_CDKTF_BOUND_NODE: bound, PEXIP_CDKTF_CONVERGE: this.carrier.read(this.convergence, 'converge') },
      },
      dependsOn: [anchor, this.binding, this.convergence, ...licences],
      replacedWith: [this.convergence],
    });
  }
}
