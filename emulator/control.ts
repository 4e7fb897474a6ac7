import { z } from "zod";
import { parseSeed, defaultSeed } from "./seed";
import {
  type EmulatorServer,
  FAULT_PATTERN,
  FAULT_PATTERN_MAX_LENGTH,
  fail,
  intParam,
  type Handler,
  parseBody,
  type Route,
  route,
} from "./server";

const CONTROL = "/_emulator";

const faultRule = z.strictObject({
  method: z.string().max(16).optional(),
  // Not a regular expression: a catastrophic one such as (a+)+b would hang the emulator.
  path: z
    .string()
    .max(FAULT_PATTERN_MAX_LENGTH)
    .regex(FAULT_PATTERN, "must be a path pattern: text, * for any run, ^ and $ as anchors (not a regex)")
    .optional(),
  status: z.number().int().min(100).max(599).optional(),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).max(60000).optional(),
  drop: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  phase: z.enum(["before", "after"]).optional(),
});

const faultsBody = z.strictObject({
  rules: z.array(faultRule).default([]),
  seed: z.number().int().default(1),
  latencyMs: z.number().int().min(0).max(60000).optional(),
});

const applicationChange = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  redirectUri: z.array(z.string()).optional(),
  grantTypes: z.array(z.string()).optional(),
  clientSecret: z.string().optional(),
});

const connectedAppSecret = z.strictObject({ clientSecret: z.string().regex(/^[0-9a-fA-F]{32}$/) });

const contractChange = z.strictObject({
  status: z.enum(["APPROVED", "PENDING", "REVOKED", "REJECTED"]).optional(),
  tierId: z.number().int().positive().nullable().optional(),
  requestedTierId: z.number().int().positive().nullable().optional(),
});

/**
 * The control surface for tests and demos, apart from the service's own paths: reset, state,
 * changes made "in the UI", faults, token expiry, and the request log. No authentication.
 */
export function controlRoutes(server: () => EmulatorServer): Route[] {
  const controlRoute = (method: string, pattern: string, handler: Handler): Route =>
    route("exchange", method, `${CONTROL}${pattern}`, handler, { auth: false, control: true });
  return [
    controlRoute("POST", "/reset", (ctx) => {
      ctx.store.reset(parseSeed(ctx.body ?? defaultSeed(), "reset body"));
      server().faults.set([]);
      server().resetLog();
      return { status: 204 };
    }),
    controlRoute("GET", "/state", (ctx) => ({
      status: 200,
      body: { applications: ctx.store.applications(), contracts: ctx.store.contracts() },
    })),
    controlRoute("PATCH", "/applications/:appId", (ctx) => {
      const app = ctx.store.application(intParam(ctx, "appId")) ?? fail(404, "no such application");
      return { status: 200, body: ctx.store.updateApplication(app, parseBody(ctx, applicationChange)) };
    }),
    controlRoute("DELETE", "/applications/:appId", (ctx) => {
      ctx.store.deleteApplication(
        ctx.store.application(intParam(ctx, "appId")) ?? fail(404, "no such application"),
      );
      return { status: 204 };
    }),
    controlRoute("PATCH", "/contracts/:contractId", (ctx) => {
      const contract = ctx.store.contract(intParam(ctx, "contractId")) ?? fail(404, "no such contract");
      return { status: 200, body: ctx.store.updateContract(contract, parseBody(ctx, contractChange)) };
    }),
    controlRoute("DELETE", "/contracts/:contractId", (ctx) => {
      ctx.store.deleteContract(
        ctx.store.contract(intParam(ctx, "contractId")) ?? fail(404, "no such contract"),
      );
      return { status: 204 };
    }),
    controlRoute("POST", "/faults", (ctx) => {
      const body = parseBody(ctx, faultsBody);
      server().faults.set(body.rules, body.seed);
      if (body.latencyMs !== undefined) ctx.options.latencyMs = body.latencyMs;
      return { status: 204 };
    }),
    controlRoute("DELETE", "/faults", (ctx) => {
      server().faults.set([]);
      ctx.options.latencyMs = 0;
      return { status: 204 };
    }),
    // An administrator rotating a connected app's secret: the old secret stops working at once.
    controlRoute("POST", "/connected-apps/:clientId/secret", (ctx) => {
      const app =
        ctx.store.seed.connectedApps.find((candidate) => candidate.clientId === ctx.params.clientId) ??
        fail(404, "no such connected app");
      app.clientSecret = parseBody(ctx, connectedAppSecret).clientSecret;
      return { status: 204 };
    }),
    controlRoute("POST", "/tokens/expire", (ctx) => {
      for (const token of ctx.store.tokens.values()) token.expiresAt = 0;
      return { status: 204 };
    }),
    controlRoute("GET", "/tokens", (ctx) => ({
      status: 200,
      body: {
        tokens: [...ctx.store.tokens.values()].map((token) => ({
          value: token.value,
          caller: token.caller.identity,
          expiresAt: new Date(token.expiresAt).toISOString(),
        })),
      },
    })),
    controlRoute("GET", "/requests", () => {
      const s = server();
      return {
        status: 200,
        body: { requests: s.log, inFlight: s.inFlight, peakConcurrency: s.peakInFlight },
      };
    }),
    controlRoute("DELETE", "/requests", () => {
      server().resetLog();
      return { status: 204 };
    }),
  ];
}
