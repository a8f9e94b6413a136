// The ESLint face: a flat-config plugin `{ meta, rules, configs }`. configs.recommended is built
// from rule meta (a test holds it to that).
import type { TSESLint } from '@typescript-eslint/utils';
import { rules as ruleList } from '../../rules/index.js';
import { pluginNamespace, version } from '../meta.js';
import { toEslintRule } from './adapter.js';

const rules = Object.fromEntries(ruleList.map((rule) => [rule.meta.id, toEslintRule(rule)]));

const plugin = {
  meta: { name: 'shutdown-lint', version },
  rules,
  configs: {} as Record<'recommended', TSESLint.FlatConfig.Config>,
};

plugin.configs.recommended = {
  name: 'shutdown-lint/recommended',
  plugins: { [pluginNamespace]: plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: Object.fromEntries(ruleList.map((rule) => [`${pluginNamespace}/${rule.meta.id}`, rule.meta.recommended])),
};

export default plugin;
export { rules };
