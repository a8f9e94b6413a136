// The deadline each shutdown library puts on the drain, as data (research §5.0, "Library default
// catalogue"). `phases` are summed; `preClose` is a delay before the listener closes.

export interface DeadlineOption {
  /** Which argument holds the options object. */
  argument: number;
  property: string;
  defaultMs: number;
  /** A delay before the listener closes (lightship's shutdownDelay) rather than a drain phase. */
  preClose?: boolean;
}

export interface LibraryDeadline {
  /** As SignalRegistration.how names it. */
  library: string;
  options: DeadlineOption[];
  /** What the bound covers, for messages. */
  note?: string;
  /** A final fixed wait the library adds (lightship: 1 s). */
  extraMs?: number;
  /**
   * The option that bounds the shutdown handlers the library runs (a drain placed in one ends when
   * it fires): lightship's `shutdownHandlerTimeout`, close-with-grace's `delay`.
   */
  handlers?: string;
}

export const libraryDeadlines: readonly LibraryDeadline[] = [
  {
    library: 'close-with-grace',
    options: [{ argument: 0, property: 'delay', defaultMs: 10_000 }],
    handlers: 'delay',
  },
  {
    library: 'http-graceful-shutdown',
    options: [{ argument: 1, property: 'timeout', defaultMs: 30_000 }],
    handlers: 'timeout',
  },
  {
    library: 'terminus',
    options: [{ argument: 1, property: 'timeout', defaultMs: 1_000 }],
    note: 'HTTP only; onSignal is not bounded',
  },
  {
    library: 'lightship',
    options: [
      { argument: 0, property: 'shutdownDelay', defaultMs: 5_000, preClose: true },
      { argument: 0, property: 'gracefulShutdownTimeout', defaultMs: 30_000 },
      { argument: 0, property: 'shutdownHandlerTimeout', defaultMs: 5_000 },
    ],
    extraMs: 1_000,
    handlers: 'shutdownHandlerTimeout',
  },
  {
    library: '@ladjs/graceful',
    options: [{ argument: 0, property: 'timeoutMs', defaultMs: 5_000 }],
    handlers: 'timeoutMs',
  },
  { library: 'shutdown-lint/lifecycle', options: [{ argument: 0, property: 'timeoutMs', defaultMs: 25_000 }] },
];
