// The deployable unit: one thing a platform starts and stops (a Dockerfile's final stage run by
// docker, a compose service, a Kubernetes container, a Fly app, a Procfile process, a systemd
// service, a PM2 app, a Render service, an ECS container), with what it does on stop.
import type { BaseImage } from './base-image.js';
import type { Platform } from './platforms.js';
import type { DeployFile, Span } from './source.js';

/** A value of the platform: where it is set, or the platform's default when `span` is undefined. */
export interface Setting<T> {
  value: T;
  /** The key that sets it; undefined when it is the default. */
  span?: Span;
  /** How messages name it: `terminationGracePeriodSeconds`, `kill_timeout`. */
  key: string;
}

/** How the unit's main process is started, as written. */
export interface Launch {
  /** The argv of the main process. For the shell form it is `['/bin/sh', '-c', script]`. */
  argv: string[];
  /** `CMD node x` (shell form): run by the image's /bin/sh. */
  shellForm: boolean;
  /** Where the command is written (CMD, `command:`, a Procfile line). */
  span: Span;
  /** How messages name it: `CMD`, `command`, `ExecStart`. */
  source: string;
  /** The directory relative paths of the command are resolved in (the project's root for that unit). */
  cwd: string;
  /** The image's WORKDIR, stripped from absolute paths that point into the image. */
  workdir?: string;
}

export interface DeployUnit {
  platform: Platform;
  /** The service, container, app or process name. */
  name: string;
  file: DeployFile;
  /** The unit itself: where findings about defaults go. */
  span: Span;
  /** Counts as production (not a dev/test file, not a non-final stage). */
  production: boolean;
  grace: Setting<number>;
  stopSignal: Setting<string>;
  /** Kubernetes preStop: seconds (undefined when its duration cannot be read, as for httpGet). */
  preStop?: { seconds: number | undefined; span: Span; what: string };
  launch?: Launch;
  image?: BaseImage;
  /** An init in front of the main process (tini, dumb-init, `--init`, `init: true`, Fly's init, PM2). */
  init?: { name: string; span?: Span };
  /** Kubernetes readinessProbe or ports, compose ports, Fly services: where traffic comes from. */
  servesTraffic?: { span: Span; what: string };
  /** Environment the unit sets (for env-driven drain deadlines). */
  env: Map<string, { value: string; span: Span }>;
  /** A wrapper that stops the app on its own clock (PM2 kill_timeout). */
  wrapperCap?: Setting<number> & { wrapper: string };
  /** Jobs and CronJobs run to completion. */
  runsToCompletion?: boolean;
  /** systemd KillMode, when mixed or process. */
  killMode?: string;
  /** Read from a Helm template with its actions blanked: a missing key may come from a template action. */
  templated?: boolean;
  /** The Dockerfile (found here) whose image the unit runs. */
  imageFile?: string;
  /** Notes for the plan: what was assumed. */
  notes: string[];
}
