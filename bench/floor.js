#!/usr/bin/env node
// The floor of issue 6 for this design on the TypeScript 6 API: build the program, bind it, and
// ask the checker for the types of the shutdown-relevant call sites only (the checker is lazy, so
// this is what a linter that asks for types only where a rule needs them cannot go below).
//
//   node bench/floor.js <tsconfig.json>
//
// A call is shutdown-relevant when its callee's name is one the catalogue knows (a close, force
// close or flush method, a factory, a listener method, `listen`), a process exit, or a timer.
// For each, the resolved signature and the receiver's type are asked for.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { factories, kinds, listenerMethods, processExits, deadlineTimers } from '../dist/src/core/catalogue.js';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const names = new Set(['listen', 'setInterval', ...listenerMethods]);
for (const kind of kinds) {
  for (const list of [kind.close, kind.forceClose, kind.flush])
    for (const name of list ?? []) if (!name.startsWith('[')) names.add(name);
}
for (const ref of [...factories, ...processExits, ...deadlineTimers]) {
  const last = ref.path[ref.path.length - 1] ?? ref.module.split('/').pop();
  if (last) names.add(last);
}

function calleeName(expression) {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

export function measureFloor(configPath) {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: { ...parsed.options, noEmit: true },
    projectReferences: parsed.projectReferences,
  });
  // Creating the checker binds every file of the program, declaration files included.
  const checker = program.getTypeChecker();
  let files = 0;
  let sites = 0;
  const visit = (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      if (name && names.has(name)) {
        sites++;
        checker.getResolvedSignature(node);
        if (ts.isPropertyAccessExpression(node.expression)) checker.getTypeAtLocation(node.expression.expression);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const sourceFile of program.getSourceFiles()) {
    if (
      sourceFile.isDeclarationFile ||
      program.isSourceFileFromExternalLibrary(sourceFile) ||
      sourceFile.fileName.includes('/node_modules/')
    )
      continue;
    files++;
    visit(sourceFile);
  }
  return { programFiles: program.getSourceFiles().length, files, sites };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    process.stderr.write('Usage: node bench/floor.js <tsconfig.json>\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${JSON.stringify(measureFloor(resolve(process.argv[2])))}\n`);
  }
}
