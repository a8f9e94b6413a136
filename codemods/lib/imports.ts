// `lifecycle` for a rewritten file: the binding it already has, or one import added once, in the
// module style of the file (`import` in ES modules and TypeScript, `require` in CommonJS).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Collection, JSCodeshift } from 'jscodeshift';
import { nearestPackageJson } from '../../src/core/files.js';

export const lifecycleModule = 'shutdown-lint/lifecycle';

type Node = any; // jscodeshift's AST is untyped at this level: the checks below are structural

function isRequireOf(node: Node, module: string): boolean {
  return (
    node?.type === 'CallExpression' &&
    node.callee?.type === 'Identifier' &&
    node.callee.name === 'require' &&
    node.arguments.length === 1 &&
    isStringLiteral(node.arguments[0]) &&
    node.arguments[0].value === module
  );
}

function isStringLiteral(node: Node): boolean {
  return node?.type === 'StringLiteral' || (node?.type === 'Literal' && typeof node.value === 'string');
}

function nearestPackageType(file: string): string | undefined {
  const manifest = nearestPackageJson(dirname(file));
  if (!manifest) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

/** CommonJS by extension, by the syntax it uses, and for plain `.js` by its package's `type`. */
export function isCommonJs(j: JSCodeshift, root: Collection, path: string): boolean {
  if (/\.c[jt]s$/.test(path)) return true;
  if (/\.m[jt]s$/.test(path)) return false;
  const esm =
    root.find(j.ImportDeclaration).size() > 0 ||
    root.find(j.ExportNamedDeclaration).size() > 0 ||
    root.find(j.ExportDefaultDeclaration).size() > 0 ||
    root.find(j.ExportAllDeclaration).size() > 0;
  if (esm) return false;
  const cjs =
    root.find(j.CallExpression, { callee: { type: 'Identifier', name: 'require' } }).size() > 0 ||
    root
      .find(j.MemberExpression, { object: { type: 'Identifier', name: 'module' }, property: { name: 'exports' } })
      .size() > 0;
  if (cjs) return true;
  if (/\.tsx?$/.test(path)) return false;
  return nearestPackageType(path) !== 'module';
}

/** The file's quote style, from its first import or require. */
export function quoteStyle(j: JSCodeshift, root: Collection): 'single' | 'double' {
  let raw: string | undefined;
  root.find(j.ImportDeclaration).forEach((p) => {
    raw ??= (p.node.source as Node).extra?.raw ?? (p.node.source as Node).raw;
  });
  root.find(j.CallExpression, { callee: { type: 'Identifier', name: 'require' } }).forEach((p) => {
    const arg = p.node.arguments[0] as Node;
    raw ??= arg?.extra?.raw ?? arg?.raw;
  });
  return raw?.startsWith('"') ? 'double' : 'single';
}

/** A name declared or used in the file other than through the lifecycle import. */
function nameTaken(j: JSCodeshift, root: Collection, name: string): boolean {
  return (
    root
      .find(j.Identifier, { name })
      .filter((p) => {
        const parent = p.parent?.node as Node;
        // `x.lifecycle` and `{ lifecycle: … }` keys are not bindings.
        if (
          (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') &&
          parent.property === p.node &&
          !parent.computed
        )
          return false;
        if (
          (parent?.type === 'ObjectProperty' || parent?.type === 'Property') &&
          parent.key === p.node &&
          !parent.computed &&
          parent.value !== p.node
        )
          return false;
        return true;
      })
      .size() > 0
  );
}

export interface LifecycleBinding {
  /** The expression to write for the process-wide lifecycle: `lifecycle`, `lc.lifecycle`. */
  text: string;
  /** The file needs the import line `addImport()` adds to the printed output. Idempotent. */
  ensure(): void;
  /** A top-level statement to write below the imports (the lifecycle's among them), as text: `lifecycle.handleSignals()`. */
  addStatement(code: string): void;
  /** Adds the import to the printed output when `ensure()` was called, and the statements. */
  addImport(output: string): string;
}

/**
 * How this file names `lifecycle`: an existing `import { lifecycle }`, `import * as x`,
 * `const { lifecycle } = require(…)` or `const x = require(…)` of the module (a specifier is
 * added to an existing import of it), or a new import line.
 */
export function lifecycleBinding(j: JSCodeshift, root: Collection, path: string, source: string): LifecycleBinding {
  const existing = existingBinding(j, root);
  const commonJs = isCommonJs(j, root, path);
  const semicolon = usesSemicolons(j, root, source) ? ';' : '';
  const statements: string[] = [];
  // Written as text, like the import: recast would reprint the whole program around a new statement.
  const addStatements = (output: string): string =>
    statements.reduce((text, code) => insertLine(j, text, `${code}${semicolon}`, commonJs, true), output);
  const addStatement = (code: string): void => {
    statements.push(code);
  };
  if (existing) return { text: existing, ensure: () => {}, addStatement, addImport: addStatements };
  const local = nameTaken(j, root, 'lifecycle') ? 'shutdownLifecycle' : 'lifecycle';
  const quote = quoteStyle(j, root) === 'double' ? '"' : "'";
  const line = commonJs
    ? `const { lifecycle${local === 'lifecycle' ? '' : `: ${local}`} } = require(${quote}${lifecycleModule}${quote})${semicolon}`
    : `import { lifecycle${local === 'lifecycle' ? '' : ` as ${local}`} } from ${quote}${lifecycleModule}${quote}${semicolon}`;
  let needed = false;
  return {
    text: local,
    ensure() {
      needed = true;
    },
    addStatement,
    addImport(output) {
      return addStatements(needed ? insertLine(j, output, line, commonJs) : output);
    },
  };
}

function usesSemicolons(j: JSCodeshift, root: Collection, source: string): boolean {
  const body = (root.find(j.Program).get().node as Node).body as Node[];
  const first = body.find(
    (s) => s.type === 'ImportDeclaration' || s.type === 'VariableDeclaration' || s.type === 'ExpressionStatement',
  );
  if (!first) return true;
  const raw = source.slice(first.start, first.end);
  return raw.trimEnd().endsWith(';');
}

function existingBinding(j: JSCodeshift, root: Collection): string | undefined {
  let found: string | undefined;
  root.find(j.ImportDeclaration).forEach((p) => {
    const declaration = p.node as Node;
    if (found || declaration.source.value !== lifecycleModule || declaration.importKind === 'type') return;
    for (const specifier of declaration.specifiers ?? []) {
      if (
        specifier.type === 'ImportSpecifier' &&
        specifier.importKind !== 'type' &&
        specifier.imported.name === 'lifecycle'
      ) {
        found = specifier.local?.name ?? 'lifecycle';
      } else if (specifier.type === 'ImportNamespaceSpecifier') {
        found = `${specifier.local.name}.lifecycle`;
      }
    }
    if (!found && (declaration.specifiers ?? []).every((s: Node) => s.type === 'ImportSpecifier')) {
      // `import { closeServer } from 'shutdown-lint/lifecycle'`: name `lifecycle` there too.
      declaration.specifiers = [...(declaration.specifiers ?? []), j.importSpecifier(j.identifier('lifecycle'))];
      found = 'lifecycle';
    }
  });
  if (found) return found;
  root.find(j.VariableDeclarator).forEach((p) => {
    const declarator = p.node as Node;
    if (found || !isRequireOf(declarator.init, lifecycleModule)) return;
    if (declarator.id.type === 'Identifier') {
      found = `${declarator.id.name}.lifecycle`;
    } else if (declarator.id.type === 'ObjectPattern') {
      const property = declarator.id.properties.find(
        (prop: Node) => (prop.type === 'ObjectProperty' || prop.type === 'Property') && prop.key?.name === 'lifecycle',
      );
      if (property) {
        found = property.value?.name ?? 'lifecycle';
      } else if (declarator.id.properties.every((prop: Node) => prop.type !== 'RestElement')) {
        const added = j.objectProperty(j.identifier('lifecycle'), j.identifier('lifecycle'));
        added.shorthand = true;
        declarator.id.properties.push(added);
        found = 'lifecycle';
      }
    }
  });
  return found;
}

function isTopRequire(statement: Node): boolean {
  return (
    statement.type === 'VariableDeclaration' &&
    statement.declarations.some(
      (d: Node) =>
        d.init?.type === 'CallExpression' && d.init.callee?.type === 'Identifier' && d.init.callee.name === 'require',
    )
  );
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * The import line (or a top-level statement), written into the printed file as text (recast would
 * reprint the whole program around a new statement): after the last import (or top-level require) of the leading block,
 * else after the directives, else above the first statement and the comments that document it,
 * below the file's header comment.
 */
function insertLine(j: JSCodeshift, text: string, line: string, commonJs: boolean, statement = false): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const program = j(text).find(j.Program).get().node as Node;
  const body = program.body as Node[];
  const isHeader = commonJs ? isTopRequire : (s: Node) => s.type === 'ImportDeclaration';
  let last: Node | undefined;
  for (const statement of body) {
    if (!isHeader(statement)) break;
    last = statement;
  }
  const after = last ?? (program.directives as Node[] | undefined)?.at(-1);
  if (after) {
    const newline = text.indexOf('\n', after.end);
    if (newline === -1) return `${text}${eol}${line}${eol}`;
    const rest = text.slice(newline + 1);
    if (statement) {
      // Set off by one blank line on each side, however many the file had below its imports.
      const blanks = /^(?:[ \t]*\r?\n){0,2}/.exec(rest)![0].split('\n').length - 1;
      return `${text.slice(0, newline + 1)}${eol}${line}${eol.repeat(2 - blanks)}${rest}`;
    }
    return `${text.slice(0, newline + 1)}${last ? '' : eol}${line}${eol}${rest}`;
  }
  const first = body[0];
  if (!first) return `${line}${eol}${text}`;
  let at = lineStartOf(text, first.start);
  const leading = ((first.comments ?? first.leadingComments ?? []) as Node[]).filter(
    (c) => c.leading !== false && c.end <= first.start,
  );
  for (let i = leading.length - 1, next = first.start; i >= 0; i--) {
    // A comment directly above the statement documents it; one set off by a blank line heads the file.
    if (/\n[ \t]*\r?\n/.test(text.slice(leading[i].end, next))) break;
    at = lineStartOf(text, leading[i].start);
    next = leading[i].start;
  }
  return `${text.slice(0, at)}${line}${eol}${eol}${text.slice(at)}`;
}
