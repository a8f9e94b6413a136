// The type questions the rules and the core ask, behind one interface. Nothing outside this file
// holds a ts.TypeChecker: the engine hands every rule and the ProgramIndex a TypeQuestions, so a
// second backend (TypeScript 7's native API, which has no classic checker) can answer the same
// questions without a rule changing, and so every question asked is seen in one place (counted
// for `--stats` and the benchmark: issue 6 wants types asked only where a rule needs them).
//
// The questions keep the checker's names and meanings, restricted to what the analysis uses:
// - names and symbols: what a name denotes, through import aliases and shorthand properties;
// - types: of an expression, of a symbol, their properties and bases;
// - calls: the resolved signature of one call.
// Symbols and types are TypeScript 6's objects. A TypeScript 7 backend answers with objects of
// the same shape (the native API's Symbol and Type carry names, flags and declarations).
import type * as ts from 'typescript';

export interface TypeQuestions {
  /** What a name, property name, module specifier or source file denotes. */
  getSymbolAtLocation(node: ts.Node): ts.Symbol | undefined;
  /** The symbol an import or export alias stands for (throws, as the checker does, on a broken alias). */
  getAliasedSymbol(symbol: ts.Symbol): ts.Symbol;
  /** The value a shorthand property (`{ pool }`) refers to, rather than the property. */
  getShorthandAssignmentValueSymbol(node: ts.Node): ts.Symbol | undefined;
  /** The local symbol an `export { a as b }` specifier exports. */
  getExportSpecifierLocalTargetSymbol(node: ts.ExportSpecifier | ts.Identifier): ts.Symbol | undefined;
  /** The names visible at a location with a meaning (values, aliases). */
  getSymbolsInScope(location: ts.Node, meaning: ts.SymbolFlags): ts.Symbol[];
  /** What `name` denotes at a location, as if written there. */
  resolveName(
    name: string,
    location: ts.Node | undefined,
    meaning: ts.SymbolFlags,
    excludeGlobals: boolean,
  ): ts.Symbol | undefined;
  /** A module's exports, `export =` included. */
  getExportsOfModule(moduleSymbol: ts.Symbol): ts.Symbol[];
  /** One step of an alias chain (`import { a } from './b'` to b's export), undefined where it breaks. */
  getImmediateAliasedSymbol(symbol: ts.Symbol): ts.Symbol | undefined;

  /** The type of an expression or declaration name. The costly question: it may resolve overloads. */
  getTypeAtLocation(node: ts.Node): ts.Type;
  getTypeOfSymbol(symbol: ts.Symbol): ts.Type;
  getTypeOfSymbolAtLocation(symbol: ts.Symbol, node: ts.Node): ts.Type;
  /** The type a class, interface, type alias or enum declares (its instances'), rather than the value's. */
  getDeclaredTypeOfSymbol(symbol: ts.Symbol): ts.Type;
  /** A type as TypeScript prints it (to compare what a module exports across program versions). */
  typeToString(type: ts.Type, enclosingDeclaration?: ts.Node, flags?: ts.TypeFormatFlags): string;
  getPropertyOfType(type: ts.Type, propertyName: string): ts.Symbol | undefined;
  getPropertiesOfType(type: ts.Type): ts.Symbol[];
  getBaseTypes(type: ts.InterfaceType): ts.BaseType[];
  getNonNullableType(type: ts.Type): ts.Type;
  isArrayType(type: ts.Type): boolean;
  isTupleType(type: ts.Type): boolean;

  /** The signature overload resolution picks for one call. */
  getResolvedSignature(node: ts.CallLikeExpression): ts.Signature | undefined;
  isOptionalParameter(node: ts.ParameterDeclaration): boolean;
}

export type QuestionName = keyof TypeQuestions;

/** How many times each question was asked, for `--stats` and the benchmark. */
export type QuestionCounts = Partial<Record<QuestionName, number>>;

const questionNames: readonly QuestionName[] = [
  'getSymbolAtLocation',
  'getAliasedSymbol',
  'getShorthandAssignmentValueSymbol',
  'getExportSpecifierLocalTargetSymbol',
  'getSymbolsInScope',
  'resolveName',
  'getExportsOfModule',
  'getImmediateAliasedSymbol',
  'getTypeAtLocation',
  'getTypeOfSymbol',
  'getTypeOfSymbolAtLocation',
  'getDeclaredTypeOfSymbol',
  'typeToString',
  'getPropertyOfType',
  'getPropertiesOfType',
  'getBaseTypes',
  'getNonNullableType',
  'isArrayType',
  'isTupleType',
  'getResolvedSignature',
  'isOptionalParameter',
];

export interface CountedQuestions extends TypeQuestions {
  /** Questions asked so far through this instance. */
  readonly counts: QuestionCounts;
}

/** The TypeScript 6 backend for a program: its own checker, each question counted. */
export function questionsFor(program: ts.Program): CountedQuestions {
  return checkerQuestions(program.getTypeChecker());
}

function checkerQuestions(checker: ts.TypeChecker): CountedQuestions {
  const counts: QuestionCounts = {};
  const questions: Record<string, unknown> = { counts };
  for (const name of questionNames) {
    const answer = (checker[name] as (...args: unknown[]) => unknown).bind(checker);
    questions[name] = (...args: unknown[]): unknown => {
      counts[name] = (counts[name] ?? 0) + 1;
      return answer(...args);
    };
  }
  return questions as unknown as CountedQuestions;
}

/**
 * What `symbol` stands for: the symbol an import or export alias names, or `symbol` itself when it
 * is no alias; undefined when the alias is broken (the checker throws), so the caller gives up on
 * it as every caller did with its own try/catch. `alias` is `ts.SymbolFlags.Alias`, passed in
 * because this file imports TypeScript's types only.
 */
export function aliasTarget(
  questions: Pick<TypeQuestions, 'getAliasedSymbol'>,
  symbol: ts.Symbol,
  alias: ts.SymbolFlags,
): ts.Symbol | undefined {
  if (!(symbol.flags & alias)) return symbol;
  try {
    return questions.getAliasedSymbol(symbol);
  } catch {
    return undefined;
  }
}
