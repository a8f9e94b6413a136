// The rule list. A meta test holds it equal to the files in this folder.
import type { AnyRule } from '../src/core/rule.js';
import noUntrackedPromise from './no-untracked-promise.js';
import requireCloseTimeout from './require-close-timeout.js';

export const rules: readonly AnyRule[] = [noUntrackedPromise, requireCloseTimeout];
