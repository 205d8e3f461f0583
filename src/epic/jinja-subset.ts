/**
 * The part of Jinja2 that Pexip's telehealth templates use in practice: literal text, `{{ variable | filters }}`,
 * `{% if %}` / `{% elif %}` / `{% else %}` / `{% endif %}`, `{# comments #}` and the `-` whitespace controls. One
 * parser serves both directions: monitoring compiles a profile's `service_name_template` into a matcher for
 * conference names, and the simulator renders conference names from it. Anything else (loops, macros, `set`) is
 * refused with a `TemplateError`, so a caller can say "this template is not understood" instead of guessing.
 */

export type TemplateNode =
  | { readonly type: 'text'; readonly text: string }
  /** `path` is the variable before any filter, e.g. `launch_information.fname`. */
  | { readonly type: 'variable'; readonly path: string }
  | { readonly type: 'if'; readonly branches: readonly { readonly condition: string; readonly body: readonly TemplateNode[] }[]; readonly otherwise: readonly TemplateNode[] };

export class TemplateError extends Error {}

const TAG = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:'[^']*'|"[^"]*"|\d+)\])*$/;

interface Token {
  readonly kind: 'text' | 'variable' | 'statement';
  readonly value: string;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  let trimNext = false;
  for (const match of template.matchAll(TAG)) {
    const raw = match[0];
    let text = template.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (raw.startsWith('{{-') || raw.startsWith('{%-')) text = text.replace(/\s+$/, '');
    if (text) tokens.push({ kind: 'text', value: text });
    trimNext = raw.endsWith('-}}') || raw.endsWith('-%}');
    if (match[1] !== undefined) tokens.push({ kind: 'variable', value: match[1].trim() });
    else if (match[2] !== undefined) tokens.push({ kind: 'statement', value: match[2].trim() });
    last = match.index + raw.length;
  }
  let tail = template.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (/\{[{%#]/.test(tail)) throw new TemplateError('an unclosed {{, {% or {# tag');
  if (tail) tokens.push({ kind: 'text', value: tail });
  return tokens;
}

function variablePath(expression: string): string {
  const path = expression.split('|')[0].trim();
  if (!PATH.test(path)) throw new TemplateError(`the expression "${expression}" is not a plain variable`);
  return path;
}

/** Parses a template; throws TemplateError for syntax outside the supported subset. */
export function parseTemplate(template: string): TemplateNode[] {
  const tokens = tokenize(template);
  let position = 0;
  const block = (closers: readonly string[]): { nodes: TemplateNode[]; closer?: string } => {
    const nodes: TemplateNode[] = [];
    while (position < tokens.length) {
      const token = tokens[position++];
      if (token.kind === 'text') nodes.push({ type: 'text', text: token.value });
      else if (token.kind === 'variable') nodes.push({ type: 'variable', path: variablePath(token.value) });
      else {
        const [keyword] = token.value.split(/\s+/, 1);
        if (closers.includes(keyword)) return { nodes, closer: token.value };
        if (keyword !== 'if') throw new TemplateError(`the statement {% ${token.value} %} is not supported`);
        nodes.push(ifNode(token.value.slice(2).trim()));
      }
    }
    if (closers.length > 0) throw new TemplateError('an {% if %} without {% endif %}');
    return { nodes };
  };
  const ifNode = (firstCondition: string): TemplateNode => {
    const branches: { condition: string; body: TemplateNode[] }[] = [];
    let condition = firstCondition;
    for (;;) {
      const { nodes, closer } = block(['elif', 'else', 'endif']);
      const keyword = closer!.split(/\s+/, 1)[0];
      if (keyword === 'else') {
        branches.push({ condition, body: nodes });
        const rest = block(['endif']);
        return { type: 'if', branches, otherwise: rest.nodes };
      }
      branches.push({ condition, body: nodes });
      if (keyword === 'endif') return { type: 'if', branches, otherwise: [] };
      condition = closer!.slice(4).trim();
    }
  };
  return block([]).nodes;
}

/** A variable's value for rendering: dotted paths into nested objects. */
function lookup(context: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Jinja's truthiness for the conditions we support: a variable (optionally negated with `not`). */
function truthy(context: Readonly<Record<string, unknown>>, condition: string): boolean {
  const negated = /^not\s+/.test(condition);
  const value = lookup(context, variablePath(condition.replace(/^not\s+/, '')));
  const result = value !== undefined && value !== null && value !== '' && value !== false && value !== 0;
  return negated ? !result : result;
}

/** Renders a template with a context (undefined variables render empty, as Jinja's default Undefined does). */
export function renderTemplate(template: string, context: Readonly<Record<string, unknown>>): string {
  const render = (nodes: readonly TemplateNode[]): string =>
    nodes
      .map((node) => {
        switch (node.type) {
          case 'text':
            return node.text;
          case 'variable': {
            const value = lookup(context, node.path);
            return value === undefined || value === null ? '' : String(value);
          }
          case 'if': {
            const branch = node.branches.find((b) => truthy(context, b.condition));
            return render(branch ? branch.body : node.otherwise);
          }
        }
      })
      .join('');
  return render(parseTemplate(template));
}
