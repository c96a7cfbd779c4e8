import { EventEmitter } from 'node:events';
import type { EventName, Events, EventSource, Unsubscribe } from '../../shared/api/contract';

/** The typed event bus every adapter subscribes to. */
export class EventBus implements EventSource {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every SSE client and window subscribes; don't warn at 10.
    this.emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.emitter.emit(event, payload);
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
