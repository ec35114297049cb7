// Checks for option objects: unknown keys (with a suggestion for typos such as
// `learningrate`), and numbers in range. Errors name the function, what was
// expected and what was given.

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Throws when `options` is not a plain object or has a key outside `allowed`. */
export function checkOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: options should be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const suggestion = closest(key, allowed);
    throw new Error(
      `${fn}: unknown option '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (expected one of: ${allowed.join(', ')})`,
    );
  }
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** Excludes `min` itself. */
  minExclusive?: boolean;
  integer?: boolean;
}

/** Returns `value` (or `fallback` when undefined) after checking it is a number within the rule. */
export function checkNumber(fn: string, name: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    const parts: string[] = [rule.integer ? 'an integer' : 'a finite number'];
    if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
    if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
    throw new Error(`${fn}: ${name} should be ${parts.join(' ')}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}

/** Resolves a name from a table, with a suggestion when it is unknown. */
export function lookup<T>(fn: string, what: string, name: unknown, table: Readonly<Record<string, T>>): T {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name)) return table[name]!;
  const names = Object.keys(table);
  const suggestion = typeof name === 'string' ? closest(name, names) : undefined;
  throw new Error(
    `${fn}: unknown ${what} ${JSON.stringify(name)}${suggestion ? `; did you mean '${suggestion}'?` : ''} (expected one of: ${names.join(', ')})`,
  );
}

/** How a wrong argument is shown in messages: `number 3`, `string no`, `an array of length 2`. */
export function given(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/** Returns `value` (or `fallback` when undefined) after checking it is a boolean. */
export function checkBoolean(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: ${name} should be true or false, got ${given(value)}`);
  return value;
}

/** Returns `value` (or `fallback` when undefined) after checking it is one of `choices`. */
export function checkChoice<T extends string>(fn: string, name: string, value: unknown, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const list = choices.map((c) => `'${c}'`);
  const expected = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
  const suggestion = typeof value === 'string' ? closest(value, choices) : undefined;
  throw new Error(`${fn}: ${name} should be ${expected}, got ${JSON.stringify(value) ?? String(value)}${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
}
