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
import { TokenError } from '../errors.js';
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
  const { channel, heartbeatMs, probeTimeoutMs } = options;
  let held: HeldClient | null = null;
  let verified = false;
  let closed = false;
  // When the newest heartbeat or probe that came back was sent; trust lasts heartbeatMs + probeTimeoutMs from it.
  let provenAt = Number.NEGATIVE_INFINITY;
  // Bumped by every suspicion: a heartbeat sent before it proves nothing about after it.
  let epoch = 0;
  let heartbeatTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeatRunning = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  let probeFailures = 0;
  let waiters: Waiter[] = [];
  const expected = new Map<string, () => void>();

  const settleWaiters = (error?: Error): void => {
    const woken = waiters;
    waiters = [];
    for (const waiter of woken) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  };

  /** Resolves true if `payload` arrives within probeTimeoutMs of `sent()` being called. */
  async function roundTrip(payload: string, sent: () => Promise<unknown>): Promise<boolean> {
    const arrived = new Promise<boolean>((resolve) => expected.set(payload, () => resolve(true)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      // After a stalled event loop, timers run before pending socket data is read: give the
      // notification one more turn of the loop before calling it missing.
      timer = setTimeout(() => setTimeout(() => resolve(false), 0), probeTimeoutMs);
    });
    try {
      await Promise.race([sent(), timedOut]);
      return await Promise.race([arrived, timedOut]);
    } finally {
      clearTimeout(timer);
      expected.delete(payload);
    }
  }

  function drop(reason: DropReason): void {
    provenAt = Number.NEGATIVE_INFINITY;
    options.onDrop(reason);
  }

  function lost(current: HeldClient, error?: unknown, reason: DropReason = 'connection_lost'): void {
    if (held !== current) return;
    held = null;
    const wasVerified = verified;
    verified = false;
    if (heartbeatTimer !== null) clearTimeout(heartbeatTimer);
    heartbeatTimer = null;
    current.release(error ?? new Error('LISTEN connection lost'));
    if (wasVerified) drop(reason);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, reconnectDelay);
    reconnectTimer.unref?.();
    reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  function scheduleHeartbeat(delay: number): void {
    if (closed || held === null || heartbeatTimer !== null) return;
    heartbeatTimer = setTimeout(() => {
      heartbeatTimer = null;
      void heartbeat();
    }, delay);
    heartbeatTimer.unref?.();
  }

  async function heartbeat(): Promise<void> {
    const current = held;
    if (current === null || heartbeatRunning) return;
    heartbeatRunning = true;
    const sentAt = performance.now();
    const sentEpoch = epoch;
    const payload = nonce();
    let ok = false;
    try {
      ok = await roundTrip(payload, () => current.client.query('SELECT pg_notify($1, $2)', [channel, payload]));
    } catch {
      ok = false;
    } finally {
      heartbeatRunning = false;
    }
    if (held !== current) return;
    if (!ok) return lost(current, new Error('heartbeat unanswered'), 'probe_failed');
    if (sentEpoch !== epoch) return scheduleHeartbeat(0);
    const wasTrusted = trusted();
    provenAt = sentAt;
    if (!wasTrusted) options.onTrusted();
    scheduleHeartbeat(heartbeatMs);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    let current: HeldClient;
    try {
      current = await checkOut(options.pool, (error) => lost(current, error));
    } catch {
      return scheduleReconnect();
    }
    if (closed) return current.release(new Error('cache closed'));
    held = current;
    const { client } = current;
    client.on('notification', (message: Notification) => {
      const payload = message.payload;
      if (held !== current || message.channel !== channel || payload === undefined) return;
      if (payload.startsWith(PROBE_PREFIX)) expected.get(payload)?.();
      else options.onId(payload);
    });
    client.once('end', () => lost(current));
    const payload = nonce();
    let heard: boolean;
    const sentAt = performance.now();
    try {
      await client.query(`LISTEN "${channel}"`);
      heard = await roundTrip(payload, () => options.send(payload));
    } catch (error) {
      return lost(current, error);
    }
    if (held !== current) return;
    if (!heard) {
      probeFailures++;
      settleWaiters(
        new TokenError(
          'unavailable',
          'the verification cache did not hear its own probe: its LISTEN connection needs a session of its own ' +
            '(a direct connection or a pooler in session mode, not transaction mode)',
        ),
      );
      return lost(current, new Error('probe unanswered'), 'probe_failed');
    }
    verified = true;
    provenAt = sentAt;
    reconnectDelay = FIRST_RECONNECT_DELAY_MS;
    options.onTrusted();
    settleWaiters();
    scheduleHeartbeat(heartbeatMs);
  }

  function trusted(): boolean {
    return verified && performance.now() - provenAt <= heartbeatMs + probeTimeoutMs;
  }

  void connect();

  return {
    trusted,
    get listening() {
      return verified;
    },
    get probeFailures() {
      return probeFailures;
    },
    whenListening(): Promise<void> {
      if (verified) return Promise.resolve();
      if (closed) return Promise.reject(new TokenError('unavailable', 'the verification cache is closed'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    suspect(): void {
      epoch++;
      if (!trusted()) return;
      drop('call_failed');
      if (heartbeatTimer !== null) clearTimeout(heartbeatTimer);
      heartbeatTimer = null;
      if (heartbeatRunning) return; // it will see the new epoch and go again at once
      scheduleHeartbeat(0);
    },
    close(): void {
      closed = true;
      verified = false;
      for (const timer of [heartbeatTimer, reconnectTimer]) if (timer !== null) clearTimeout(timer);
      heartbeatTimer = null;
      reconnectTimer = null;
      settleWaiters(new TokenError('unavailable', 'the verification cache is closed'));
      const current = held;
      held = null;
      current?.release(asError('cache closed'));
    },
  };
}
