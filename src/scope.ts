// Tensor lifetimes: scopes (`tidy`) that dispose what a function created except what
// it returns, and that stay correct across `await` where the runtime offers
// AsyncLocalStorage (Node, Deno, Bun). Browsers have no async context yet: there an
// async tidy still works, but tensors created by *other* code while it is suspended
// may be attributed to it — keep concurrent async tidies apart in browsers.

interface Disposable {
  readonly isDisposed: boolean;
  dispose(): void;
  /** The scope that will dispose it, if any. */
  scope: Scope | undefined;
  /** Called when it leaves every scope alive, so that a safety net can take over. */
  onUnscoped(): void;
  /** Throws the error users see for a tensor used after dispose(). */
  assertAlive(caller: string, arg?: string): void;
}

export class Scope {
  readonly members = new Set<Disposable>();
  closed = false;
}

interface AsyncStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

function loadAsyncLocalStorage(): AsyncStore<Scope[]> | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const hooks = proc?.getBuiltinModule?.('node:async_hooks') as
    | { AsyncLocalStorage: new () => AsyncStore<Scope[]> }
    | undefined;
  return hooks ? new hooks.AsyncLocalStorage() : undefined;
}

const asyncContext = loadAsyncLocalStorage();
const globalStack: Scope[] = [];

function stack(): Scope[] {
  return asyncContext ? (asyncContext.getStore() ?? globalStack) : globalStack;
}

/** The innermost open scope, if any: the one that will dispose a tensor made now. */
export function currentScope(): Scope | undefined {
  const s = stack();
  // Work started inside an async tidy may outlive it: skip scopes that have closed.
  for (let i = s.length - 1; i >= 0; i--) if (!s[i]!.closed) return s[i];
  return undefined;
}

/** Called for every new tensor: the innermost open scope will dispose it. Returns whether one will. */
export function track(item: Disposable): boolean {
  const scope = currentScope();
  if (!scope) return false;
  scope.members.add(item);
  item.scope = scope;
  return true;
}

/** Takes an item out of its scope (on dispose). */
export function untrack(item: Disposable): void {
  item.scope?.members.delete(item);
  item.scope = undefined;
}

/** Visits every Disposable found in a returned value (arrays, plain objects, maps). */
function collect(value: unknown, found: Set<Disposable>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('dispose' in value && 'isDisposed' in value && 'scope' in value) {
    found.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, found, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, found, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, found, depth + 1);
}

function close(scope: Scope, result: unknown, parent: Scope | undefined): void {
  scope.closed = true;
  const keep = new Set<Disposable>();
  collect(result, keep);
  for (const item of scope.members) {
    if (keep.has(item)) {
      // What the function returns belongs to the enclosing scope now.
      item.scope = parent;
      if (parent) parent.members.add(item);
      else item.onUnscoped();
    } else if (!item.isDisposed) {
      item.dispose();
    }
  }
  scope.members.clear();
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (found in
 * arrays and plain objects too) and those passed to `keep`. Works with async
 * functions: the scope closes when the promise settles.
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'string' ? maybeFn : nameOrFn;
  if (typeof fn !== 'function') throw new TypeError(`tidy: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const outer = stack();
  const parent = outer[outer.length - 1];
  const scope = new Scope();
  let result: T;
  if (!asyncContext) globalStack.push(scope);
  try {
    result = asyncContext ? asyncContext.run([...outer, scope], fn) : fn();
  } catch (error) {
    if (!asyncContext) removeScope(scope);
    close(scope, undefined, parent);
    throw error;
  }
  if (!asyncContext && !isPromiseLike(result)) removeScope(scope);
  if (!isPromiseLike(result)) {
    close(scope, result, parent);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      if (!asyncContext) removeScope(scope);
      close(scope, value, parent);
      return value;
    },
    (error: unknown) => {
      if (!asyncContext) removeScope(scope);
      close(scope, undefined, parent);
      throw error;
    },
  ) as T;
}

function removeScope(scope: Scope): void {
  const i = globalStack.lastIndexOf(scope);
  if (i >= 0) globalStack.splice(i, 1);
}

/** Keeps a tensor (or the tensors in an array / object) alive past the enclosing tidy. */
export function keep<T>(value: T): T {
  const found = new Set<Disposable>();
  collect(value, found);
  // Keeping a disposed tensor is always a mistake (its values are gone): say so now.
  for (const item of found) item.assertAlive('keep', 'x');
  for (const item of found) {
    if (!item.scope) continue;
    untrack(item);
    item.onUnscoped();
  }
  return value;
}

/** Disposes a tensor, or every tensor found in an array / object. */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, found);
  for (const item of found) item.dispose();
}
