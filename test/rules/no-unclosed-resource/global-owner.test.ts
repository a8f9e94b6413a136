// A resource kept on a field of a module's object and closed through an untyped global that holds
// what the module's init() returned (issue 14, requarks/wiki: `WIKI.models = require('./db').init()`,
// `WIKI.models.knex.destroy()` at shutdown). The same shape closed only off the shutdown path is
// still reported.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-unclosed-resource']!;
const project = fixtureProject('rules', 'no-unclosed-resource', 'global-owner');

ruleTesterFor(project).run('no-unclosed-resource: closed through an untyped global', rule, {
  valid: [project.file('main.cjs'), project.file('kernel.cjs'), project.file('db.cjs')],
  invalid: [
    {
      ...project.file('search.cjs'),
      errors: [{ messageId: 'closedOffShutdownPath', line: 6, column: 19 }],
    },
  ],
});
