// Programs for core tests: a fixture project's program, as the CLI would load it.
import type * as TS from 'typescript';
import { loadProjects } from '../../src/cli/project.js';
import { ts } from '../../src/cli/typescript.js';

export function programOf(dir: string): TS.Program {
  const [project] = loadProjects(ts, { cwd: dir, targets: ['.'] });
  if (!project) throw new Error(`no program for ${dir}`);
  return project.program;
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
