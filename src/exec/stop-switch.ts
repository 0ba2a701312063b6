/**
 * How a run is stopped: the first SIGINT or SIGTERM stops admitting work and tells runners to
 * stop at their next batch boundary (their AbortSignal), and the run waits a bounded time
 * for them; a second signal stops waiting. Either way every write made is committed whole,
 * so resuming is safe. The CLI passes the process as the signal source; tests pass their own.
 */
export type StopSignalName = 'SIGINT' | 'SIGTERM';

/** Where stop requests come from: `process`, or anything shaped like it. */
export interface SignalSource {
  on(event: StopSignalName, listener: () => void): unknown;
  off(event: StopSignalName, listener: () => void): unknown;
}

export class StopSwitch {
  private readonly graceful = new AbortController();
  private readonly now = new AbortController();
  private listeners: Array<() => void> = [];
  /** The signal that asked first, when one did. */
  reason: StopSignalName | undefined;

  /** Aborted at the first request: admit nothing more; runners stop at a batch boundary. */
  get signal(): AbortSignal {
    return this.graceful.signal;
  }

  /** Aborted at the second request: stop waiting for work in flight. */
  get immediate(): AbortSignal {
    return this.now.signal;
  }

  request(name: StopSignalName): void {
    if (!this.graceful.signal.aborted) {
      this.reason = name;
      this.graceful.abort(new Error(`stopped by ${name}`));
      for (const listener of this.listeners) listener();
    } else if (!this.now.signal.aborted) {
      this.now.abort(new Error(`stopped at once by a second ${name}`));
    }
  }

  /** Called once, at the first request. */
  onFirst(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Listens on a source until the returned function is called. */
  listen(source: SignalSource): () => void {
    const onInt = () => this.request('SIGINT');
    const onTerm = () => this.request('SIGTERM');
    source.on('SIGINT', onInt);
    source.on('SIGTERM', onTerm);
    return () => {
      source.off('SIGINT', onInt);
      source.off('SIGTERM', onTerm);
    };
  }
}
