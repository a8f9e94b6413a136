// Call specifiers in rule options: which calls track work, or may let it float.
// - a string: the callee as written, `inflight.track`, `waitUntil` (also matches `x.waitUntil`);
// - { from: 'package', package, name }: an export of a package, through module binding
//   (`{ from: 'package', package: 'node:test', name: 'it' }`);
// - { from: 'file', name, path? }: a function declared in this program (optionally in a file
//   whose path ends with `path`).
import type * as ts from 'typescript';
import { normalizeModuleName } from './binding.js';
import type { ApiRef } from './catalogue.js';
import type { ProgramIndex } from './program-index.js';
import { calleeText, type TS } from './ts-utils.js';
import type { JsonSchema } from './rule.js';

export type CallSpecifier =
  | string
  | { from: 'package'; package: string; name: string | string[] }
  | { from: 'file'; name: string | string[]; path?: string };

export const callSpecifierSchema: JsonSchema = {
  oneOf: [
    { type: 'string', description: 'The callee as written: `inflight.track`, or a method name such as `waitUntil`.' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'package', 'name'],
      properties: {
        from: { enum: ['package'], description: 'An export of a package.' },
        package: { type: 'string', description: 'The package name, `node:` prefix optional.' },
        name: {
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
          description: 'Export name, or a dotted path.',
        },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'name'],
      properties: {
        from: { enum: ['file'], description: 'A function declared in this program.' },
        name: {
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
          description: 'Function name(s).',
        },
        path: { type: 'string', description: 'The declaring file path ends with this.' },
      },
    },
  ],
};

function names(name: string | string[]): string[] {
  return Array.isArray(name) ? name : [name];
}

export function matchesCall(
  t: TS,
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
  specifiers: readonly CallSpecifier[],
  sourceFile: ts.SourceFile,
): boolean {
  if (specifiers.length === 0) return false;
  let text: string | undefined;
  let ref: ApiRef | undefined | null = null;
  for (const specifier of specifiers) {
    if (typeof specifier === 'string') {
      text ??= calleeText(t, call.expression, sourceFile);
      if (text === specifier || text.endsWith(`.${specifier}`)) return true;
    } else if (specifier.from === 'package') {
      if (ref === null) ref = index.binding.resolve(call.expression);
      if (!ref) continue;
      const module = normalizeModuleName(specifier.package);
      if (ref.module === module && names(specifier.name).some((n) => n === ref!.path.join('.'))) return true;
    } else {
      const functions = index.resolveFunctions(call.expression);
      for (const fn of functions) {
        const name =
          fn.name && (t.isIdentifier(fn.name) || t.isStringLiteral(fn.name)) ? fn.name.text : declaredName(t, fn);
        if (!name || !names(specifier.name).includes(name)) continue;
        if (!specifier.path || fn.getSourceFile().fileName.endsWith(specifier.path)) return true;
      }
    }
  }
  return false;
}

function declaredName(t: TS, fn: ts.Node): string | undefined {
  const parent = fn.parent;
  if (parent && t.isVariableDeclaration(parent) && t.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}
