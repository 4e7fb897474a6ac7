import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/*
 * A resource kind's fields, each declared once in a table (provider/inputs.ts): what the program
 * may set and its rule, what the stack records, and which the resource class shows as outputs.
 * Everything else is derived from the table: the input schema of `check`, the state type, the
 * input and output key lists, and the outputs the constructor hands to the SDK. The resource
 * class's Args interface and `declare` outputs stay plain TypeScript for the user's IDE; the
 * compiler holds them to the table (`Agrees`, `Declares`). Not public: no declaration a user's
 * compiler reads may name zod (test/install/declarations.test.ts).
 */

/** A field the program sets: checked with `rule`; the stack records what `recorded` describes. */
export interface InputField<Rule extends z.ZodType, Recorded extends z.ZodType, Shown extends boolean> {
  readonly role: "input";
  readonly rule: Rule;
  readonly recorded: Recorded;
  readonly shown: Shown;
}

/** A field only the provider writes: Anypoint's answer, or where the object lives. */
export interface OutputField<Recorded extends z.ZodType, Shown extends boolean> {
  readonly role: "output";
  readonly recorded: Recorded;
  readonly shown: Shown;
}

type AnyField = InputField<z.ZodType, z.ZodType, boolean> | OutputField<z.ZodType, boolean>;
export type FieldTable = Readonly<Record<string, AnyField>>;

/**
 * `shown`: the resource class declares it as an output. `recorded`: what the stack holds when
 * it is not what the rule yields (Anypoint's own value of the field, say).
 */
export function input<
  Rule extends z.ZodType,
  Recorded extends z.ZodType = Rule,
  Shown extends boolean = false,
>(rule: Rule, options: { recorded?: Recorded; shown?: Shown } = {}): InputField<Rule, Recorded, Shown> {
  return {
    role: "input",
    rule,
    recorded: (options.recorded ?? rule) as Recorded,
    shown: (options.shown ?? false) as Shown,
  };
}

/** `recorded`: what the stack holds (used for its type only). `shown`: as for `input`. */
export function output<Recorded extends z.ZodType, Shown extends boolean = false>(
  recorded: Recorded,
  options: { shown?: Shown } = {},
): OutputField<Recorded, Shown> {
  return { role: "output", recorded, shown: (options.shown ?? false) as Shown };
}

type InputKey<T extends FieldTable> = {
  [K in keyof T]: T[K] extends { role: "input" } ? K : never;
}[keyof T] &
  string;
type OutputKey<T extends FieldTable> = Exclude<keyof T & string, InputKey<T>>;
type ShownKey<T extends FieldTable> = { [K in keyof T]: T[K] extends { shown: true } ? K : never }[keyof T];
type InputShape<T extends FieldTable> = {
  [K in InputKey<T>]: T[K] extends { rule: infer Rule extends z.ZodType } ? Rule : never;
};

/** What the stack records for a resource of this table (the provider's `State`). */
export type StateOf<T extends FieldTable> = z.output<z.ZodObject<{ [K in keyof T]: T[K]["recorded"] }>>;

/** The schema of what a program may declare: the input fields, and nothing else. */
export function inputSchema<T extends FieldTable>(table: T): z.ZodObject<InputShape<T>, z.core.$strict> {
  const shape = Object.fromEntries(
    inputKeys(table).map((key) => [key, (table[key] as { rule: z.ZodType }).rule]),
  );
  return z.strictObject(shape) as z.ZodObject<InputShape<T>, z.core.$strict>;
}

/** The input fields' names, in table order. */
export function inputKeys<T extends FieldTable>(table: T): InputKey<T>[] {
  return keysWhere(table, (field) => field.role === "input") as InputKey<T>[];
}

/** The output fields' names (never inputs: `check` skips them), in table order. */
export function outputKeys<T extends FieldTable>(table: T): OutputKey<T>[] {
  return keysWhere(table, (field) => field.role === "output") as OutputKey<T>[];
}

function keysWhere(table: FieldTable, keep: (field: AnyField) => boolean): string[] {
  return Object.entries(table)
    .filter(([, field]) => keep(field))
    .map(([key]) => key);
}

/**
 * A resource's props: the program's args, and each shown field the args leave out as
 * `undefined`, in table order. The SDK makes an output of every key of `props`, and only of
 * those (docs/pulumi.md, "The runtime").
 */
export function withShownOutputs(args: object, table: FieldTable): Record<string, unknown> {
  const props: Record<string, unknown> = { ...args };
  for (const key of keysWhere(table, (field) => field.shown)) {
    if (!(key in props)) props[key] = undefined;
  }
  return props;
}

// Compile-time agreement between a table and the resource class, as client/schemas.ts holds each
// schema to its interface: a field on one side only fails `tsc` on the line of the check
// ("Type 'true' is not assignable to type 'false'").

/** A and B have the same keys, and each is assignable to the other (so optional on both or neither). */
type Identical<A, B> = [A, keyof A] extends [B, keyof B]
  ? [B, keyof B] extends [A, keyof A]
    ? true
    : false
  : false;

/** The Args interface declares exactly the table's inputs, with the types the rules accept. */
export type Agrees<T extends FieldTable, Args> = Identical<
  z.input<z.ZodObject<InputShape<T>, z.core.$strict>>,
  pulumi.Unwrap<Args>
>;

/**
 * The resource class declares as outputs exactly the table's shown fields, and `Derived`: the
 * outputs it computes itself from what the stack already holds (its id), so the stack does not
 * record them twice.
 */
export type Declares<T extends FieldTable, Resource, Derived extends string = never> = Identical<
  ShownKey<T> | Derived,
  DeclaredOutput<Resource>
>;

type DeclaredOutput<Resource> = Exclude<
  { [K in keyof Resource]: Resource[K] extends pulumi.Output<unknown> ? K : never }[keyof Resource],
  keyof pulumi.dynamic.Resource
>;
