import transform from '../../codemods/no-signal-handler-to-lifecycle-handle-signals.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '5: `lifecycle.addServer` does not take a WebSocket server',
    '11: `app.listen()` is not a statement of its own',
  ],
});
