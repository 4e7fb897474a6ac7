import type * as pulumi from "@pulumi/pulumi";

/** The object without its undefined (and null) fields: what the stack records. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/**
 * A read's answer: the live state, and the inputs that would produce it. SDKs >= 3.216 record
 * those inputs, so `refresh` shows drift against the program and the next `up` corrects it; older
 * SDKs ignore them and the engine keeps the previous inputs (docs/pulumi.md, "Refresh and drift").
 * An empty value (no text, no list items) is left out: a program that never set `redirectUris`
 * and one that set `[]` mean the same, and a refresh must not add inputs the program never wrote.
 */
export function readResult<S extends object>(
  id: string,
  state: S,
  inputKeys: readonly (keyof S & string)[],
): pulumi.dynamic.ReadResult<S> {
  const inputs: Partial<S> = {};
  for (const key of inputKeys) {
    if (!isEmpty(state[key])) inputs[key] = state[key];
  }
  // Not an object literal in the return: SDKs before 3.216 have no `inputs` in ReadResult.
  const result = { id, props: state, inputs: inputs as S };
  return result;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)
  );
}

/**
 * The state a read is asked about. Both SDKs pass an object, the recorded outputs (else the
 * inputs, else `{}`: cmd/dynamic-provider `read`); the SDK's type allows none.
 */
export function recordedState<S extends object>(props: S | undefined): S {
  if (props === undefined) throw new Error("read was called without the recorded state");
  return props;
}

/** The outputs of `retired` that `recorded` holds (see RETIRED_OUTPUTS in provider/inputs.ts). */
export function retiredOutputs(recorded: object, retired: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(recorded).filter(([key]) => retired.includes(key)));
}

/**
 * The answer of a read that found the object gone: an empty id removes it from the stack
 * (docs/pulumi.md, "The methods"). The engine ignores the properties; both SDKs send `{}`.
 */
export function gone<S extends object>(): pulumi.dynamic.ReadResult<S> {
  return { id: "", props: {} as S };
}

/**
 * Every input key of `values`, in field-table order, undefined where unset: the start of a
 * state that records what the program declared, so a new input field reaches the stack without
 * another line here. Live values are written over it.
 */
export function declaredInputs<V extends object, K extends keyof V>(
  inputKeys: readonly K[],
  values: V,
): Pick<V, K> {
  return Object.fromEntries(inputKeys.map((key) => [key, values[key]])) as Pick<V, K>;
}
