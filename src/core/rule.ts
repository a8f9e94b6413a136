// The shape every rule is written in, once, over the TypeScript compiler AST and types.
// Nothing here knows about ESLint, jscodeshift or the CLI: the adapters translate.
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';
import { checkTestFilesSchema, isTestFile } from './files.js';
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
  /** The defaults of the rule's own options (`defineRule` adds the shared ones). */
  defaultOptions: OwnOptions<Options>;
  /**
   * Test files are skipped unless the shared `checkTestFiles` option is set: a test run gets no
   * SIGTERM. `defineRule` adds the option's schema and default and the skip, once for every rule.
   */
  skipsTestFiles?: boolean;
}

/** The option every rule that skips test files shares. */
export interface TestFileOptions {
  checkTestFiles: boolean;
}

/** A rule's options less the shared ones, whose schema and defaults `defineRule` adds. */
export type OwnOptions<Options> = Omit<Options, keyof TestFileOptions>;

/** A text replacement over the original file text (offsets are UTF-16 code units, as in TS). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * What a finding carries: the values of its message's `{{placeholders}}`, and the facts its
 * codemod reads (flags are booleans, counts numbers). Each rule declares its own as a type alias
 * (`defineRule<MessageId, Options, Data>`), so the rule's reports and its codemod's reads are
 * checked by the compiler against one type.
 */
export type FindingData = { readonly [key: string]: string | number | boolean | undefined };

export interface Suggestion<MessageId extends string = string> {
  messageId: MessageId;
  data?: FindingData;
  edits: TextEdit[];
}

export interface Finding<MessageId extends string = string, Data extends FindingData = FindingData> {
  /** Reported range: [start, end) offsets in the file. */
  start: number;
  end: number;
  messageId: MessageId;
  data?: Data;
  suggestions?: Suggestion<MessageId>[];
  /** Codemods rewrite this node; adapters ignore it. */
  node: ts.Node;
}

/** Handlers keyed by SyntaxKind, called once per node in a single traversal of the file. */
export type Visitor = Partial<Record<ts.SyntaxKind, (node: ts.Node) => void>> & {
  /** Called after the traversal of the file ends. */
  onEnd?: () => void;
};

export interface RuleContext<MessageId extends string, Options extends object, Data extends FindingData = FindingData> {
  /** The TypeScript instance that built the program: SyntaxKind numbers belong to it. */
  ts: typeof ts;
  program: ts.Program;
  types: TypeQuestions;
  index: ProgramIndex;
  sourceFile: ts.SourceFile;
  options: Options;
  report(finding: Omit<Finding<MessageId, Data>, 'start' | 'end'> & { start?: number; end?: number }): void;
}

export interface Rule<
  MessageId extends string = string,
  Options extends object = object,
  Data extends FindingData = FindingData,
> {
  meta: RuleMeta<MessageId, Options>;
  create(context: RuleContext<MessageId, Options, Data>): Visitor;
}

/** Any rule, as the registry and the adapters hold them (options and data differ per rule). */
export type AnyRule = Rule<string, any, any>;

/** The message ids of a rule. */
export type MessageIdOf<R> = R extends Rule<infer MessageId, any, any> ? MessageId : never;
/** The data a rule's findings carry. */
export type DataOf<R> = R extends Rule<string, any, infer Data> ? Data : never;

/**
 * A rule as the faces run it. Every rule reports only where SIGTERM can arrive
 * (`ProgramIndex.inDeployedProcess`, which `migrate` asks too): it sees no file of a browser bundle, of a script that runs once or of a
 * workspace package no deployed entry reaches; and no finding in a React component, hook or JSX
 * handler is kept, nor one in a library package's class or function that the deployed entries of
 * its monorepo never name (`isUndeployedCode`), nor one in a branch only development runs
 * (`if (env.isDevelopment)`, `isDevelopmentOnlyCode`). A rule that `skipsTestFiles` sees no
 * test file either, unless the shared `checkTestFiles` option is set.
 */
export function defineRule<MessageId extends string, Options extends object, Data extends FindingData = FindingData>(
  rule: Rule<MessageId, Options, Data>,
): Rule<MessageId, Options, Data> {
  const { meta } = rule;
  return {
    meta: meta.skipsTestFiles
      ? {
          ...meta,
          schema: { ...meta.schema, properties: { ...meta.schema.properties, checkTestFiles: checkTestFilesSchema } },
          defaultOptions: { ...meta.defaultOptions, checkTestFiles: false },
        }
      : meta,
    create(context) {
      const place = context.index.placeOf(context.sourceFile);
      if (place === 'browser' || place === 'script' || place === 'undeployed') return {};
      if (meta.skipsTestFiles) {
        const { checkTestFiles } = context.options as Partial<TestFileOptions>;
        if (!checkTestFiles && (place === 'test' || isTestFile(context.sourceFile.fileName))) return {};
      }
      return rule.create({
        ...context,
        report(finding) {
          // Test files were let in above (or not) by the rule's option.
          if (context.index.inDeployedProcess(finding.node, { tests: true })) context.report(finding);
        },
      });
    },
  };
}

/** `{{name}}` placeholders, as ESLint fills them. */
export function formatMessage(template: string, data: FindingData | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(data, key) ? String(data[key]) : whole,
  );
}
