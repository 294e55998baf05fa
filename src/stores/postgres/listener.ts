/**
 * @internal The verification cache's LISTEN connection, and the proof that
 * it really hears the store's notifications.
 *
 * A LISTEN only works on a session of its own: behind a pooler in
 * transaction mode the LISTEN runs on whichever server session the pooler
 * lends for that one statement, and notifications then reach someone else or
 * nobody. Nothing reports that; the cache would simply never hear of a
 * revocation. So the connection is trusted only once it has proven itself:
 *
 * - after every (re)connect, a probe: a notification with a fresh nonce sent
 *   through the repository's pool (another session) must arrive on the
 *   listening connection while it is idle, within `probeTimeoutMs`;
 * - then every `heartbeatMs`, a notification the listening connection sends
 *   itself must come back within `probeTimeoutMs`, proving that the session
 *   and the server are still there;
 * - a lost connection, an unanswered probe or heartbeat, or a call through
 *   the cache that found the database out of reach (`suspect`) withdraws
 *   the trust at once.
 *
 * While not trusted, the cache answers nothing from memory.
 */
import type { Notification, Pool } from 'pg';
import { TokenError } from '../../core/errors.js';
import { asError, checkOut, type HeldClient } from './connection.js';

/** Payloads starting with this are probes (token ids are ULIDs, which never do). */
export const PROBE_PREFIX = 'probe:';

const FIRST_RECONNECT_DELAY_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5_000;

/** Why the cache's contents were dropped. */
export type DropReason = 'connection_lost' | 'probe_failed' | 'call_failed';

/** What the listener needs from the cache. */
export interface ListenerOptions {
  readonly pool: Pick<Pool, 'connect'>;
  readonly channel: string;
  /** Sends `payload` on the channel through another session (the repository's pool). */
  readonly send: (payload: string) => Promise<void>;
  readonly heartbeatMs: number;
  readonly probeTimeoutMs: number;
  /** A token id arrived. */
  readonly onId: (id: string) => void;
  /** Trust begins (or begins again): anything cached before may be stale. */
  readonly onTrusted: () => void;
  /** Trust was withdrawn: whatever is cached must go. */
  readonly onDrop: (reason: DropReason) => void;
}

/** The listening side of the cache. */
export interface Listener {
  /** True while lookups may be answered from memory. */
  trusted(): boolean;
  /** True while connected on a session that passed its probe. */
  readonly listening: boolean;
  /** Resolves once listening; rejects with `TokenError('unavailable')` if a probe goes unanswered. */
  whenListening(): Promise<void>;
  /** A call through the cache failed: trust nothing until a heartbeat sent from now on comes back. */
  suspect(): void;
  /** Probes after a (re)connect that did not come back. */
  readonly probeFailures: number;
  /** Stops listening and destroys the connection (a LISTEN session must not go back to a pool). */
  close(): void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

function nonce(): string {
  return `${PROBE_PREFIX}${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
}

/** Starts listening on `options.channel` (in the background) and returns the listener. */
export function startListener(options: ListenerOptions): Listener {
  const listener = new TrustedListener(options);
  void listener.connect();
  return listener;
}

const closedError = (): TokenError => new TokenError('unavailable', 'the verification cache is closed');

class TrustedListener implements Listener {
  private held: HeldClient | null = null;
  private verified = false;
  private closed = false;
  // When the newest heartbeat or probe that came back was sent; trust lasts heartbeatMs + probeTimeoutMs from it.
  private provenAt = Number.NEGATIVE_INFINITY;
  // Bumped by every suspicion: a heartbeat sent before it proves nothing about after it.
  private epoch = 0;
  private heartbeatTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatRunning = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  private waiters: Waiter[] = [];
  private readonly expected = new Map<string, () => void>();
  probeFailures = 0;

  constructor(private readonly options: ListenerOptions) {}

  get listening(): boolean {
    return this.verified;
  }

  trusted(): boolean {
    return this.verified && performance.now() - this.provenAt <= this.options.heartbeatMs + this.options.probeTimeoutMs;
  }

  whenListening(): Promise<void> {
    if (this.verified) return Promise.resolve();
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  suspect(): void {
    this.epoch++;
    if (!this.trusted()) return;
    this.drop('call_failed');
    this.clearHeartbeat();
    // A heartbeat already on its way will see the new epoch and go again at once.
    if (!this.heartbeatRunning) this.scheduleHeartbeat(0);
  }

  close(): void {
    this.closed = true;
    this.verified = false;
    this.clearHeartbeat();
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.settleWaiters(closedError());
    const current = this.held;
    this.held = null;
    current?.release(asError('cache closed'));
  }

  /** Checks out a connection, LISTENs, and trusts it once the probe sent from another session arrives. */
  async connect(): Promise<void> {
    if (this.closed) return;
    let current: HeldClient;
    try {
      current = await checkOut(this.options.pool, (error) => this.lost(current, error));
    } catch {
      return this.scheduleReconnect();
    }
    if (this.closed) return current.release(asError('cache closed'));
    this.held = current;
    this.listen(current);
    const payload = nonce();
    const sentAt = performance.now();
    let heard: boolean;
    try {
      await current.client.query(`LISTEN "${this.options.channel}"`);
      heard = await this.roundTrip(payload, () => this.options.send(payload));
    } catch (error) {
      return this.lost(current, error);
    }
    if (this.held !== current) return;
    if (!heard) {
      this.probeFailures++;
      this.settleWaiters(
        new TokenError(
          'unavailable',
          'the verification cache did not hear its own probe: its LISTEN connection needs a session of its own ' +
            '(a direct connection or a pooler in session mode, not transaction mode)',
        ),
      );
      return this.lost(current, new Error('probe unanswered'), 'probe_failed');
    }
    this.verified = true;
    this.provenAt = sentAt;
    this.reconnectDelay = FIRST_RECONNECT_DELAY_MS;
    this.options.onTrusted();
    this.settleWaiters();
    this.scheduleHeartbeat(this.options.heartbeatMs);
  }

  private listen(current: HeldClient): void {
    const { channel } = this.options;
    current.client.on('notification', (message: Notification) => {
      const payload = message.payload;
      if (this.held !== current || message.channel !== channel || payload === undefined) return;
      if (payload.startsWith(PROBE_PREFIX)) this.expected.get(payload)?.();
      else this.options.onId(payload);
    });
    current.client.once('end', () => this.lost(current));
  }

  /** Resolves true if `payload` arrives within probeTimeoutMs of `send()` being called. */
  private async roundTrip(payload: string, send: () => Promise<unknown>): Promise<boolean> {
    const arrived = new Promise<boolean>((resolve) => this.expected.set(payload, () => resolve(true)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      // After a stalled event loop, timers run before pending socket data is read: give the
      // notification one more turn of the loop before calling it missing.
      timer = setTimeout(() => setTimeout(() => resolve(false), 0), this.options.probeTimeoutMs);
    });
    try {
      await Promise.race([send(), timedOut]);
      return await Promise.race([arrived, timedOut]);
    } finally {
      clearTimeout(timer);
      this.expected.delete(payload);
    }
  }

  private async heartbeat(): Promise<void> {
    const current = this.held;
    if (current === null || this.heartbeatRunning) return;
    this.heartbeatRunning = true;
    const sentAt = performance.now();
    const sentEpoch = this.epoch;
    const payload = nonce();
    const sql = 'SELECT pg_notify($1, $2)';
    const ok = await this.roundTrip(payload, () => current.client.query(sql, [this.options.channel, payload])).catch(
      () => false,
    );
    this.heartbeatRunning = false;
    if (this.held !== current) return;
    if (!ok) return this.lost(current, new Error('heartbeat unanswered'), 'probe_failed');
    if (sentEpoch !== this.epoch) return this.scheduleHeartbeat(0);
    const wasTrusted = this.trusted();
    this.provenAt = sentAt;
    if (!wasTrusted) this.options.onTrusted();
    this.scheduleHeartbeat(this.options.heartbeatMs);
  }

  private lost(current: HeldClient, error?: unknown, reason: DropReason = 'connection_lost'): void {
    if (this.held !== current) return;
    this.held = null;
    const wasVerified = this.verified;
    this.verified = false;
    this.clearHeartbeat();
    current.release(error ?? new Error('LISTEN connection lost'));
    if (wasVerified) this.drop(reason);
    this.scheduleReconnect();
  }

  private drop(reason: DropReason): void {
    this.provenAt = Number.NEGATIVE_INFINITY;
    this.options.onDrop(reason);
  }

  private settleWaiters(error?: Error): void {
    const woken = this.waiters;
    this.waiters = [];
    for (const waiter of woken) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== null) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref?.();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  private scheduleHeartbeat(delay: number): void {
    if (this.closed || this.held === null || this.heartbeatTimer !== null) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      void this.heartbeat();
    }, delay);
    this.heartbeatTimer.unref?.();
  }

  private clearHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }
}
