// PM2 ecosystem files (`ecosystem.config.{js,cjs,mjs,json,yaml}`): each app of `apps`. PM2 stops
// an app with SIGINT and SIGKILLs it after kill_timeout, 1600 ms by default (research §1.1).
import { dirname } from 'node:path';
import * as ts from 'typescript';
import { normalizeSignal, platformDefaults } from '../platforms.js';
import { projectRoot } from '../process-chain.js';
import type { DeployFile, Span } from '../source.js';
import type { DeployUnit } from '../units.js';
import { entriesOf, itemsOf, nodeAt, readYaml, scalarAt, spanOfKey, spanOfNode, splitWords } from './yaml.js';

export function isPm2Name(name: string): boolean {
  return /^(ecosystem|pm2)(\.config)?\.(js|cjs|mjs|json|ya?ml)$/.test(name);
}

interface AppFields {
  span: Span;
  values: Map<string, { value: unknown; span: Span }>;
  env: Map<string, { value: string; span: Span }>;
}

/** A literal of the config (strings, numbers, booleans, arrays of strings); undefined otherwise. */
function literal(node: ts.Expression): unknown {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => literal(e));
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = literal(node.left);
    const r = literal(node.right);
    return typeof l === 'number' && typeof r === 'number' ? l * r : undefined;
  }
  return undefined;
}

function appsFromScript(file: DeployFile): AppFields[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const apps: AppFields[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'apps' &&
      ts.isArrayLiteralExpression(node.initializer)
    ) {
      for (const element of node.initializer.elements) {
        if (!ts.isObjectLiteralExpression(element)) continue;
        const app: AppFields = {
          span: { file, start: element.getStart(source), end: element.end },
          values: new Map(),
          env: new Map(),
        };
        for (const property of element.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const name =
            ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
          if (!name) continue;
          const span = { file, start: property.getStart(source), end: property.end };
          if (name === 'env' && ts.isObjectLiteralExpression(property.initializer)) {
            for (const e of property.initializer.properties) {
              if (!ts.isPropertyAssignment(e)) continue;
              const value = literal(e.initializer);
              const key = ts.isIdentifier(e.name) || ts.isStringLiteral(e.name) ? e.name.text : undefined;
              if (key && value !== undefined)
                app.env.set(key, { value: String(value), span: { file, start: e.getStart(source), end: e.end } });
            }
          }
          app.values.set(name, { value: literal(property.initializer), span });
        }
        apps.push(app);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return apps;
}

function appsFromData(file: DeployFile): AppFields[] {
  const apps: AppFields[] = [];
  for (const { document } of readYaml(file)) {
    for (const app of itemsOf(nodeAt(document.contents, 'apps'))) {
      const fields: AppFields = { span: spanOfNode(file, app)!, values: new Map(), env: new Map() };
      for (const [key, value] of entriesOf(app))
        fields.values.set(key, { value: (value as { value?: unknown })?.value, span: spanOfKey(file, app, key)! });
      for (const [key] of entriesOf(nodeAt(app, 'env')))
        fields.env.set(key, {
          value: String(scalarAt(app, 'env', key)),
          span: spanOfKey(file, nodeAt(app, 'env'), key)!,
        });
      apps.push(fields);
    }
  }
  return apps;
}

export function readPm2(file: DeployFile): DeployUnit[] {
  const apps = /\.(c|m)?js$/.test(file.path) ? appsFromScript(file) : appsFromData(file);
  const defaults = platformDefaults.pm2;
  return apps.map((app) => {
    const get = (key: string) => app.values.get(key);
    const script = get('script');
    const args = get('args')?.value;
    const interpreter = get('interpreter')?.value;
    const argList = Array.isArray(args) ? args.map(String) : typeof args === 'string' ? splitWords(args) : [];
    const scriptText = typeof script?.value === 'string' ? script.value : undefined;
    const isBinary = scriptText !== undefined && !/\.(c|m)?[jt]sx?$/.test(scriptText);
    const argv =
      scriptText === undefined
        ? []
        : isBinary || interpreter === 'none'
          ? [scriptText, ...argList]
          : [typeof interpreter === 'string' ? interpreter : 'node', scriptText, ...argList];
    const killTimeout = get('kill_timeout');
    const signal = get('kill_signal');
    const name = String(get('name')?.value ?? scriptText ?? 'app');
    const unit: DeployUnit = {
      platform: 'pm2',
      name: `PM2 app ${name}`,
      file,
      span: get('name')?.span ?? app.span,
      production: true,
      // The container's or host's own grace is not in this file.
      grace: { value: Number.NaN, key: 'the grace of what runs PM2' },
      stopSignal:
        typeof signal?.value === 'string'
          ? { value: normalizeSignal(signal.value), span: signal.span, key: 'kill_signal' }
          : { value: defaults.signal, key: 'kill_signal' },
      env: app.env,
      init: { name: 'PM2' },
      wrapperCap:
        typeof killTimeout?.value === 'number'
          ? { value: killTimeout.value / 1000, span: killTimeout.span, key: 'kill_timeout', wrapper: 'PM2' }
          : { value: defaults.graceSeconds, key: 'kill_timeout', wrapper: 'PM2' },
      notes: [],
    };
    if (script)
      unit.launch = {
        argv,
        shellForm: false,
        span: script.span,
        source: 'script',
        cwd: projectRoot(dirname(file.path)),
      };
    return unit;
  });
}
