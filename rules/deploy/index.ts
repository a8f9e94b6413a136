// The deploy checks, in the order of their value (research §5.1). A test holds the list equal to
// the folders beside this file.
import type { DeployRule } from '../../src/core/deploy/rule.js';
import graceBudget from './grace-budget/grace-budget.js';
import noWrapperPid1 from './no-wrapper-pid1/no-wrapper-pid1.js';
import noShellWrappedNode from './no-shell-wrapped-node/no-shell-wrapped-node.js';
import prodUsesDevRunner from './prod-uses-dev-runner/prod-uses-dev-runner.js';
import requirePrestopDelay from './require-prestop-delay/require-prestop-delay.js';
import stopSignalMismatch from './stop-signal-mismatch/stop-signal-mismatch.js';
import wrapperCapsDrain from './wrapper-caps-drain/wrapper-caps-drain.js';
import requireHandlerAsPid1 from './require-handler-as-pid1/require-handler-as-pid1.js';

export const deployRules: readonly DeployRule[] = [
  noShellWrappedNode,
  requireHandlerAsPid1,
  noWrapperPid1,
  graceBudget,
  stopSignalMismatch,
  requirePrestopDelay,
  prodUsesDevRunner,
  wrapperCapsDrain,
];
