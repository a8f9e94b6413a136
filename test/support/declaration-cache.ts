// Most of the time a test spends building a program goes to parsing the same declaration files
// again: TypeScript's libs and the installed packages' types (@types/node alone is ~100 files).
// Those files do not change while the tests run, so the programs a test worker builds share them
// (across its test files: vitest.config.ts sets isolate: false), as a language service's document
// registry shares them between its programs; the files a test reads or writes (fixtures,
// temporary projects) are read afresh each time.
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import type * as TS from 'typescript';
import { repoRoot } from './fixtures.js';

const installed = [join(repoRoot, 'node_modules') + sep];
try {
  installed.push(realpathSync(join(repoRoot, 'node_modules')) + sep);
} catch {
  // no node_modules: nothing to share
}
const declaration = /\.d\.[cm]?ts$/;

function shareable(fileName: string): boolean {
  const native = sep === '/' ? fileName : fileName.split('/').join(sep);
  return declaration.test(fileName) && installed.some((dir) => native.startsWith(dir));
}

const registries = new WeakMap<typeof TS, TS.DocumentRegistry>();

/**
 * `host` with its installed declaration files taken from a registry shared by every program this
 * worker builds with the same TypeScript (keyed, as the registry keys them, by the compiler
 * options that change how a file parses and binds).
 */
export function shareDeclarations<Host extends TS.CompilerHost>(
  t: typeof TS,
  host: Host,
  options: TS.CompilerOptions,
): Host {
  let registry = registries.get(t);
  if (!registry) {
    registry = t.createDocumentRegistry(t.sys.useCaseSensitiveFileNames, repoRoot);
    registries.set(t, registry);
  }
  const shared = registry;
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    const text = shareable(fileName) ? host.readFile(fileName) : undefined;
    if (text === undefined) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    const sourceFileOptions =
      typeof languageVersionOrOptions === 'object'
        ? languageVersionOrOptions
        : { languageVersion: languageVersionOrOptions };
    return shared.acquireDocument(
      fileName,
      options,
      t.ScriptSnapshot.fromString(text),
      'installed',
      undefined,
      sourceFileOptions,
    );
  };
  return host;
}

/**
 * TypeScript as the core is handed it, except that the programs it creates share the installed
 * declaration files (through the compiler hosts it creates, and a host of its own when none is given).
 */
export function sharingTypeScript(t: typeof TS): typeof TS {
  const sharing: typeof TS = Object.create(t);
  Object.defineProperties(sharing, {
    createCompilerHost: {
      value: (options: TS.CompilerOptions, setParentNodes?: boolean) =>
        shareDeclarations(t, t.createCompilerHost(options, setParentNodes), options),
    },
    createProgram: {
      value: (
        first: TS.CreateProgramOptions | readonly string[],
        options?: TS.CompilerOptions,
        host?: TS.CompilerHost,
        oldProgram?: TS.Program,
        diagnostics?: readonly TS.Diagnostic[],
      ): TS.Program => {
        if (!('rootNames' in first)) {
          const given = options ?? {};
          const shared = host ?? shareDeclarations(t, t.createCompilerHost(given), given);
          return t.createProgram(first, given, shared, oldProgram, diagnostics);
        }
        if (first.host) return t.createProgram(first);
        return t.createProgram({
          ...first,
          host: shareDeclarations(t, t.createCompilerHost(first.options), first.options),
        });
      },
    },
  });
  return sharing;
}
