// Programs for core tests: a fixture project's program, as the CLI would load it.
import type * as TS from 'typescript';
import { buildProject, planProjects } from '../../src/core/project.js';
import { ts } from '../../src/core/typescript.js';

export function programOf(dir: string): TS.Program {
  const [plan] = planProjects(ts, { cwd: dir, targets: ['.'] });
  if (!plan) throw new Error(`no program for ${dir}`);
  return buildProject(ts, plan).program;
}

/** Every node of a file, in order. */
export function nodesOf(sourceFile: TS.SourceFile): TS.Node[] {
  const nodes: TS.Node[] = [];
  const visit = (node: TS.Node): void => {
    nodes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return nodes;
}

/** The function declared or named `name` (a function declaration, named function expression or method). */
export function functionNamed(program: TS.Program, name: string): TS.Node {
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) continue;
    const found = nodesOf(file).find(
      (n) =>
        (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) &&
        n.name !== undefined &&
        n.name.getText(file) === name,
    );
    if (found) return found;
  }
  throw new Error(`no function named ${name}`);
}

/** Compiler options of the in-memory programs: the fixture projects' own. */
export const inMemoryOptions: TS.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
  experimentalDecorators: true,
};

/**
 * A program with one in-memory file at `fileName`, which should lie inside the repository so
 * that its imports resolve against the repository's node_modules.
 */
export function programWithFile(
  fileName: string,
  code: string,
  options: TS.CompilerOptions = inMemoryOptions,
): TS.Program {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === fileName
      ? ts.createSourceFile(name, code, languageVersion, true)
      : getSourceFile(name, languageVersion, onError, shouldCreate);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? code : readFile(name));
  return ts.createProgram({ rootNames: [fileName], options, host });
}
