import transform from '../../codemods/server-close-to-lifecycle-close-server.js';
import { describeCodemod } from './define.js';

describeCodemod(transform, {
  'left.ts': [
    '11: `lifecycle.closeServer` does not close a TCP server',
    '12: the callback of `server.close()` reads the close error',
    '15: `server.close()` is closed through a wrapper',
  ],
});
