/**
 * A parent signal's linked children and the one `abort` listener it has for all of them. One listener per
 * parent, not one per child: Node's `addEventListener` walks every listener already added (it skips
 * duplicates), so a listener per child on a parent with 100,000 children would make each link cost O(n).
 */
interface ParentLinks {
  readonly children: Set<LinkedAbortController>;
  readonly onAbort: () => void;
}

const linksOf = new WeakMap<AbortSignal, ParentLinks>();

function link(parent: AbortSignal, child: LinkedAbortController): void {
  let links = linksOf.get(parent);
  if (!links) {
    const children = new Set<LinkedAbortController>();
    const onAbort = (): void => {
      linksOf.delete(parent);
      // Each child unlinks itself from its other parents as it aborts; deleting while iterating a Set is safe.
      for (const linked of children) linked.abort(parent.reason);
      children.clear();
    };
    links = { children, onAbort };
    linksOf.set(parent, links);
    parent.addEventListener('abort', onAbort, { once: true });
  }
  links.children.add(child);
}

function unlink(parent: AbortSignal, child: LinkedAbortController): void {
  const links = linksOf.get(parent);
  if (!links?.children.delete(child) || links.children.size > 0) return;
  // The last child is gone: drop the listener too, so a long-lived parent keeps nothing for finished work.
  linksOf.delete(parent);
  parent.removeEventListener('abort', links.onAbort);
}

/**
 * An AbortController whose signal also aborts when any of its parent signals does (with that parent's
 * reason) — what `AbortSignal.any([...parents, controller.signal])` gives, at a fraction of the cost: no weak
 * references, no finalization registry, no extra composite signal. That matters where one is made per
 * engaged cluster or per reconcile: `AbortSignal.any` cost about 3 KiB and a tenth of the CPU of engaging
 * 100,000 kcp workspaces.
 *
 * The price is that the link is strong: a parent holds its linked children until they are done. A child is
 * done when it aborts (by its own {@link abort} or a parent's) or when {@link dispose} is called, and then
 * it holds nothing on any parent. So every child must end one of those ways — an engagement that ends with
 * its signal, or work that disposes its controller in a `finally` — or it lives as long as its parents.
 */
export class LinkedAbortController extends AbortController {
  #parents: readonly AbortSignal[] | undefined;

  /** Links to `parents` (`undefined` entries are skipped); already aborted if one of them is. */
  constructor(...parents: ReadonlyArray<AbortSignal | undefined>) {
    super();
    const linked: AbortSignal[] = [];
    for (const parent of parents) {
      if (!parent) continue;
      if (parent.aborted) {
        super.abort(parent.reason);
        return;
      }
      linked.push(parent);
    }
    for (const parent of linked) link(parent, this);
    this.#parents = linked;
  }

  /** Aborts the signal (if not aborted yet) and unlinks from every parent. */
  override abort(reason?: unknown): void {
    this.dispose();
    super.abort(reason);
  }

  /**
   * Unlinks from every parent without aborting: the work the signal guarded is over, and a parent aborting
   * later no longer concerns it. Calling it again, or after an abort, does nothing.
   */
  dispose(): void {
    const parents = this.#parents;
    if (!parents) return;
    this.#parents = undefined;
    for (const parent of parents) unlink(parent, this);
  }

  /** Whether the controller is still linked to a parent (it has neither aborted nor been disposed). */
  get linked(): boolean {
    return this.#parents !== undefined && this.#parents.length > 0;
  }
}

/**
 * How many live children are linked to `parent` (for tests and leak checks: it returns to 0 once every
 * child has aborted or been disposed).
 */
export function linkedChildCount(parent: AbortSignal): number {
  return linksOf.get(parent)?.children.size ?? 0;
}
