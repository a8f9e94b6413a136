// The shape every rule is written in, once, over the TypeScript compiler AST and types.
// Nothing here knows about ESLint, jscodeshift or the CLI: the adapters translate.
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';
import { type TypeQuestions } from './type-questions.js';

export type Severity = 'off' | 'warn' | 'error';

/** JSON Schema (draft 4, as ESLint expects) for a rule's options object. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  uniqueItems?: boolean;
}

export interface RuleMeta<MessageId extends string, Options extends object> {
  /** kebab-case id; the ESLint name is `shutdown/<id>`. */
  id: string;
  description: string;
  /** The Go shutdown lesson the rule carries (shown in the README table). */
  goLesson: string;
  /** Severity in `configs.recommended`. */
  recommended: Exclude<Severity, 'off'>;
  /** The rule needs type information to be precise (it still runs on bindings alone). */
  requiresTypeChecking: boolean;
  hasSuggestions: boolean;
  messages: Record<MessageId, string>;
  /** One options object; properties are described so docs and editors can show them. */
  schema: JsonSchema;
  defaultOptions: Options;
}

/** A text replacement over the original file text (offsets are UTF-16 code units, as in TS). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Suggestion<MessageId extends string = string> {
  messageId: MessageId;
  data?: Record<string, string>;
  edits: TextEdit[];
}

export interface Finding<MessageId extends string = string> {
  /** Reported range: [start, end) offsets in the file. */
  start: number;
  end: number;
  messageId: MessageId;
  data?: Record<string, string>;
  suggestions?: Suggestion<MessageId>[];
  /** Codemods rewrite this node; adapters ignore it. */
  node: ts.Node;
}

/** Handlers keyed by SyntaxKind, called once per node in a single traversal of the file. */
export type Visitor = Partial<Record<ts.SyntaxKind, (node: ts.Node) => void>> & {
  /** Called after the traversal of the file ends. */
  onEnd?: () => void;
};

export interface RuleContext<MessageId extends string, Options extends object> {
  /** The TypeScript instance that built the program: SyntaxKind numbers belong to it. */
  ts: typeof ts;
  program: ts.Program;
  types: TypeQuestions;
  index: ProgramIndex;
  sourceFile: ts.SourceFile;
  options: Options;
  report(finding: Omit<Finding<MessageId>, 'start' | 'end'> & { start?: number; end?: number }): void;
}

export interface Rule<MessageId extends string = string, Options extends object = object> {
  meta: RuleMeta<MessageId, Options>;
  create(context: RuleContext<MessageId, Options>): Visitor;
}

/** Any rule, as the registry and the adapters hold them (options differ per rule). */
export type AnyRule = Rule<string, any>;

export function defineRule<MessageId extends string, Options extends object>(
  rule: Rule<MessageId, Options>,
): Rule<MessageId, Options> {
  return rule;
}

/** `{{name}}` placeholders, as ESLint fills them. */
export function formatMessage(template: string, data: Record<string, string> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(data, key) ? String(data[key]) : whole,
  );
}
