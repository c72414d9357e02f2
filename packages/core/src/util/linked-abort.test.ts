import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LinkedAbortController, linkedChildCount, unwatchAbort, watchAbort } from './linked-abort.ts';

/** A full garbage collection (V8's `gc`, reachable without starting node with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('LinkedAbortController', () => {
  it('aborts when any parent aborts, with that parent’s reason, and leaves the other parents', () => {
    const a = new AbortController();
    const b = new AbortController();
    const child = new LinkedAbortController(a.signal, b.signal);
    const reason = new Error('a stopped');
    a.abort(reason);
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe(reason);
    expect(linkedChildCount(b.signal)).toBe(0);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
    expect(child.linked).toBe(false);
  });

  it('is aborted from the start when a parent already is', () => {
    const parent = new AbortController();
    parent.abort('gone');
    const other = new AbortController();
    const child = new LinkedAbortController(other.signal, parent.signal, undefined);
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe('gone');
    expect(linkedChildCount(other.signal)).toBe(0);
  });

  it('aborting the child leaves its parents alone and unlinked', () => {
    const parent = new AbortController();
    const child = new LinkedAbortController(parent.signal);
    child.abort(new Error('timed out'));
    expect(child.signal.aborted).toBe(true);
    expect(parent.signal.aborted).toBe(false);
    expect(linkedChildCount(parent.signal)).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('after dispose a parent abort no longer reaches the child, and the parent keeps no listener', () => {
    const parent = new AbortController();
    const child = new LinkedAbortController(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    child.dispose();
    child.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    parent.abort();
    expect(child.signal.aborted).toBe(false);
  });

  it('gives a parent one listener however many children it has, and none once they are done', () => {
    const parent = new AbortController();
    const children = Array.from({ length: 10_000 }, () => new LinkedAbortController(parent.signal));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(linkedChildCount(parent.signal)).toBe(10_000);
    children[0]?.abort();
    for (const child of children.slice(1, 5000)) child.dispose();
    expect(linkedChildCount(parent.signal)).toBe(5000);
    parent.abort(new Error('stopped'));
    expect(children.slice(5000).every((c) => c.signal.aborted && !c.linked)).toBe(true);
    expect(children.slice(1, 5000).some((c) => c.signal.aborted)).toBe(false);
    expect(linkedChildCount(parent.signal)).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('counts, unlinks and aborts children alike however many a linked parent has', () => {
    for (const count of [1, 2, 3, 8, 9, 20]) {
      const root = new LinkedAbortController();
      const children = Array.from({ length: count }, () => new LinkedAbortController(root.signal));
      expect(linkedChildCount(root.signal)).toBe(count);
      children[0]?.dispose();
      children.at(-1)?.abort();
      const live = children.slice(1, -1);
      expect(linkedChildCount(root.signal)).toBe(live.length);
      root.abort('stopped');
      expect(live.every((child) => child.signal.reason === 'stopped')).toBe(true);
      expect(children[0]?.signal.aborted).toBe(count === 1);
      expect(linkedChildCount(root.signal)).toBe(0);
    }
  });

  it('a child of a child aborts with its grandparent', () => {
    const root = new AbortController();
    const middle = new LinkedAbortController(root.signal);
    const leaf = new LinkedAbortController(middle.signal);
    root.abort('root stopped');
    expect(leaf.signal.aborted).toBe(true);
    expect(leaf.signal.reason).toBe('root stopped');
  });

  it('a child that is done can be garbage-collected while its parent lives on (no leak)', async () => {
    const parent = new AbortController();
    // Made in a function of its own: a suspended async test would keep its last locals alive.
    const finishedChildren = (): Array<WeakRef<LinkedAbortController>> =>
      Array.from({ length: 100 }, (_, i) => {
        const child = new LinkedAbortController(parent.signal);
        if (i % 2) child.dispose();
        else child.abort();
        return new WeakRef(child);
      });
    const refs = finishedChildren();
    const live = new LinkedAbortController(parent.signal);
    // WeakRef targets stay alive until the current task ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(linkedChildCount(parent.signal)).toBe(1);
    parent.abort();
    expect(live.signal.aborted).toBe(true);
  });

  it('links a chain of linked controllers without any event listener on the linked signals', () => {
    const root = new AbortController();
    const engagement = new LinkedAbortController(root.signal);
    const perRunnable = new LinkedAbortController(engagement.signal);
    const perReconcile = new LinkedAbortController(perRunnable.signal, engagement.signal);
    expect(getEventListeners(root.signal, 'abort')).toHaveLength(1);
    expect(getEventListeners(engagement.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(perRunnable.signal, 'abort')).toHaveLength(0);
    expect(linkedChildCount(engagement.signal)).toBe(2);
    perReconcile.dispose();
    expect(linkedChildCount(engagement.signal)).toBe(1);
    expect(linkedChildCount(perRunnable.signal)).toBe(0);
    root.abort('provider stopped');
    expect(perRunnable.signal.reason).toBe('provider stopped');
    expect(perReconcile.signal.aborted).toBe(false);
    expect(linkedChildCount(root.signal)).toBe(0);
  });

  it('tells abort watchers once, at once for a signal that has aborted, and not after unwatchAbort', () => {
    const told: string[] = [];
    const watcher = (name: string) => ({
      signalAborted: (reason: unknown) => told.push(`${name}:${String(reason)}`),
    });
    const plain = new AbortController();
    const linked = new LinkedAbortController(plain.signal);
    const a = watcher('a');
    const b = watcher('b');
    watchAbort(linked.signal, a);
    watchAbort(linked.signal, b);
    watchAbort(plain.signal, b);
    unwatchAbort(linked.signal, b);
    unwatchAbort(plain.signal, b);
    expect(getEventListeners(plain.signal, 'abort')).toHaveLength(1);
    plain.abort('gone');
    expect(told).toEqual(['a:gone']);
    watchAbort(plain.signal, watcher('late'));
    expect(told).toEqual(['a:gone', 'late:gone']);
  });

  it('a watcher that throws does not keep the others from being told', async () => {
    const parent = new AbortController();
    const failures: unknown[] = [];
    const onUncaught = (error: unknown) => failures.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      watchAbort(parent.signal, {
        signalAborted: () => {
          throw new Error('watcher failed');
        },
      });
      const child = new LinkedAbortController(parent.signal);
      parent.abort();
      expect(child.signal.aborted).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).toEqual([new Error('watcher failed')]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
