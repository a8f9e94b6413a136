// What each platform does on stop, as data (research §1.1): its grace, its stop signal, the key
// each is set with, and whether it signals only the main process. Values are seconds.

export type Platform = 'docker' | 'compose' | 'kubernetes' | 'ecs' | 'fly' | 'heroku' | 'render' | 'systemd' | 'pm2';

export interface PlatformDefaults {
  /** How messages name it. */
  title: string;
  /** The grace key, as the platform spells it; undefined when the grace cannot be set. */
  graceKey: string | undefined;
  graceSeconds: number;
  signalKey: string | undefined;
  signal: string;
  /** The platform's stop reaches every process (Heroku's dyno, systemd's control group), not only the main one. */
  signalsEveryProcess: boolean;
  /** An init of the platform's own is PID 1 and forwards the signal (Fly): node is never PID 1. */
  platformInit: string | undefined;
  /** Who sends the signal, for messages and the plan. */
  sender: string;
}

export const platformDefaults: Record<Platform, PlatformDefaults> = {
  docker: {
    title: 'docker run',
    graceKey: '--stop-timeout',
    graceSeconds: 10,
    signalKey: 'STOPSIGNAL',
    signal: 'SIGTERM',
    signalsEveryProcess: false,
    platformInit: undefined,
    sender: '`docker stop`',
  },
  compose: {
    title: 'Docker Compose',
    graceKey: 'stop_grace_period',
    graceSeconds: 10,
    signalKey: 'stop_signal',
    signal: 'SIGTERM',
    signalsEveryProcess: false,
    platformInit: undefined,
    sender: '`docker compose stop`',
  },
  kubernetes: {
    title: 'Kubernetes',
    graceKey: 'terminationGracePeriodSeconds',
    graceSeconds: 30,
    signalKey: 'STOPSIGNAL',
    signal: 'SIGTERM',
    signalsEveryProcess: false,
    platformInit: undefined,
    sender: 'the kubelet',
  },
  ecs: {
    title: 'ECS',
    graceKey: 'stopTimeout',
    graceSeconds: 30,
    signalKey: 'STOPSIGNAL',
    signal: 'SIGTERM',
    signalsEveryProcess: false,
    platformInit: undefined,
    sender: 'the ECS agent',
  },
  fly: {
    title: 'Fly.io',
    graceKey: 'kill_timeout',
    graceSeconds: 5,
    signalKey: 'kill_signal',
    signal: 'SIGINT',
    signalsEveryProcess: false,
    platformInit: "Fly's init",
    sender: "Fly's init",
  },
  heroku: {
    title: 'Heroku',
    graceKey: undefined,
    graceSeconds: 30,
    signalKey: undefined,
    signal: 'SIGTERM',
    signalsEveryProcess: true,
    platformInit: undefined,
    sender: 'Heroku (to every process of the dyno)',
  },
  render: {
    title: 'Render',
    graceKey: 'maxShutdownDelaySeconds',
    graceSeconds: 30,
    signalKey: undefined,
    signal: 'SIGTERM',
    signalsEveryProcess: false,
    platformInit: undefined,
    sender: 'Render',
  },
  systemd: {
    title: 'systemd',
    graceKey: 'TimeoutStopSec',
    graceSeconds: 90,
    signalKey: 'KillSignal',
    signal: 'SIGTERM',
    signalsEveryProcess: true,
    platformInit: undefined,
    sender: 'systemd',
  },
  pm2: {
    title: 'PM2',
    graceKey: 'kill_timeout',
    graceSeconds: 1.6,
    signalKey: undefined,
    signal: 'SIGINT',
    signalsEveryProcess: false,
    platformInit: 'PM2',
    sender: 'PM2',
  },
};

/** `1m30s`, `90s`, `1.5s`, `500ms`, `90`: seconds, or undefined when it is not a duration. */
export function parseDuration(value: unknown, bareUnit: 's' | 'ms' = 's'): number | undefined {
  if (typeof value === 'number') return bareUnit === 'ms' ? value / 1000 : value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return bareUnit === 'ms' ? Number(text) / 1000 : Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s+/g, '')) return undefined;
  const factor: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, µs: 0.000001 };
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * factor[unit!]!, 0);
}

/** `TERM`, `sigterm`, `15` -> `SIGTERM`. */
export function normalizeSignal(value: string): string {
  const text = value.trim().toUpperCase();
  const numbers: Record<string, string> = {
    '1': 'SIGHUP',
    '2': 'SIGINT',
    '3': 'SIGQUIT',
    '9': 'SIGKILL',
    '10': 'SIGUSR1',
    '12': 'SIGUSR2',
    '15': 'SIGTERM',
  };
  if (numbers[text]) return numbers[text]!;
  return text.startsWith('SIG') ? text : `SIG${text}`;
}
