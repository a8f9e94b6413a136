// The lifecycle import, on in-memory files: reused in every form it can take, added once in the
// file's module style, quotes and semicolons, under another name when `lifecycle` is taken.
import jscodeshift from 'jscodeshift';
import { describe, expect, it } from 'vitest';
import noSignalHandler from '../../codemods/no-signal-handler-to-lifecycle-handle-signals.js';
import untrackedPromise from '../../codemods/untracked-promise-to-lifecycle-track.js';
import { applyCodemods } from '../../codemods/lib/codemod.js';
import noUntrackedPromiseRule from '../../rules/no-untracked-promise/no-untracked-promise.js';
import requireSignalHandlerRule from '../../rules/require-signal-handler/require-signal-handler.js';
import type { FindingOf } from '../../src/core/analysis.js';

/** Tracks the statement `work();` (the codemod's simplest finding) in `source`. */
function track(path: string, source: string): string | null {
  const start = source.indexOf('work();');
  const line = source.slice(0, start).split('\n').length;
  const finding: FindingOf<typeof noUntrackedPromiseRule> = {
    ruleId: 'no-untracked-promise',
    messageId: 'untracked',
    start,
    end: start + 'work();'.length,
    line,
    column: start - source.lastIndexOf('\n', start - 1),
    data: { name: 'work(…)' },
  };
  return applyCodemods([untrackedPromise.codemod], { path, source }, [finding], jscodeshift).output;
}

/** Hands `server.listen(3000)` to the lifecycle, which also writes `lifecycle.handleSignals()` below the imports. */
function listen(path: string, source: string): string | null {
  const start = source.indexOf('server.listen(3000)');
  const finding: FindingOf<typeof requireSignalHandlerRule> = {
    ruleId: 'require-signal-handler',
    messageId: 'noSignalHandler',
    start,
    end: start + 'server.listen(3000)'.length,
    line: source.slice(0, start).split('\n').length,
    column: start - source.lastIndexOf('\n', start - 1),
    data: { name: 'server.listen()', label: 'HTTP server', kind: 'http.Server' },
  };
  return applyCodemods([noSignalHandler.codemod], { path, source }, [finding], jscodeshift).output;
}

describe('a top-level statement', () => {
  it('goes below the imports, the new one included, with one blank line on each side however many the file had', () => {
    expect(listen('/p/a.ts', "import { server } from './server.js';\n\n\nserver.listen(3000);\n")).toBe(
      "import { server } from './server.js';\nimport { lifecycle } from 'shutdown-lint/lifecycle';\n\nlifecycle.handleSignals();\n\nlifecycle.addServer(server.listen(3000));\n",
    );
  });

  it('goes below an existing import of the lifecycle, without semicolons in a file that has none', () => {
    expect(
      listen(
        '/p/a.ts',
        "import { lifecycle } from 'shutdown-lint/lifecycle'\nimport { server } from './server.js'\nserver.listen(3000)\n",
      ),
    ).toBe(
      "import { lifecycle } from 'shutdown-lint/lifecycle'\nimport { server } from './server.js'\n\nlifecycle.handleSignals()\n\nlifecycle.addServer(server.listen(3000))\n",
    );
  });
});

describe('the lifecycle import', () => {
  it('is added after the imports of an ES module, with its quotes and semicolons', () => {
    expect(track('/p/a.ts', 'import { work } from "./work.js"\n\nwork();\n')).toBe(
      'import { work } from "./work.js"\nimport { lifecycle } from "shutdown-lint/lifecycle"\n\nlifecycle.track(work());\n',
    );
  });

  it('is a require after the requires of a CommonJS file', () => {
    expect(track('/p/a.cjs', "'use strict';\nconst { work } = require('./work');\n\nwork();\n")).toBe(
      "'use strict';\nconst { work } = require('./work');\nconst { lifecycle } = require('shutdown-lint/lifecycle');\n\nlifecycle.track(work());\n",
    );
  });

  it('goes below a header comment, above the first statement, in a file with no imports', () => {
    expect(track('/p/a.ts', '// Header.\n\ndeclare const work: () => Promise<void>;\nwork();\n')).toBe(
      "// Header.\n\nimport { lifecycle } from 'shutdown-lint/lifecycle';\n\ndeclare const work: () => Promise<void>;\nlifecycle.track(work());\n",
    );
  });

  it('reuses an import of lifecycle, under its alias', () => {
    expect(track('/p/a.ts', "import { lifecycle as life } from 'shutdown-lint/lifecycle';\nwork();\n")).toBe(
      "import { lifecycle as life } from 'shutdown-lint/lifecycle';\nlife.track(work());\n",
    );
  });

  it('reuses a namespace import', () => {
    expect(track('/p/a.ts', "import * as runtime from 'shutdown-lint/lifecycle';\nwork();\n")).toBe(
      "import * as runtime from 'shutdown-lint/lifecycle';\nruntime.lifecycle.track(work());\n",
    );
  });

  it('reuses a require, destructured or not', () => {
    expect(track('/p/a.cjs', "const { lifecycle } = require('shutdown-lint/lifecycle');\nwork();\n")).toBe(
      "const { lifecycle } = require('shutdown-lint/lifecycle');\nlifecycle.track(work());\n",
    );
    expect(track('/p/a.cjs', "const runtime = require('shutdown-lint/lifecycle');\nwork();\n")).toBe(
      "const runtime = require('shutdown-lint/lifecycle');\nruntime.lifecycle.track(work());\n",
    );
  });

  it('adds lifecycle to an import of the module that lacks it', () => {
    expect(track('/p/a.ts', "import { closeServer } from 'shutdown-lint/lifecycle';\nwork();\n")).toBe(
      "import { closeServer, lifecycle } from 'shutdown-lint/lifecycle';\nlifecycle.track(work());\n",
    );
  });

  it('takes another name when lifecycle is taken', () => {
    expect(track('/p/a.ts', "import { work } from './work.js';\nconst lifecycle = 'blue';\nwork();\n")).toBe(
      "import { work } from './work.js';\nimport { lifecycle as shutdownLifecycle } from 'shutdown-lint/lifecycle';\nconst lifecycle = 'blue';\nshutdownLifecycle.track(work());\n",
    );
  });

  it('keeps CRLF line ends', () => {
    expect(track('/p/a.ts', "import { work } from './work.js';\r\n\r\nwork();\r\n")).toBe(
      "import { work } from './work.js';\r\nimport { lifecycle } from 'shutdown-lint/lifecycle';\r\n\r\nlifecycle.track(work());\r\n",
    );
  });
});
