import { AnypointClient, type ClientOptions, normalizeBaseUrl } from "../../client";
import { optionsFromConfig, type StackConfig } from "../config";
import { InputError } from "./errors";

/**
 * What the providers of a run share: one Anypoint client, so one token, one concurrency limit,
 * one root-organization lookup. implementation.ts builds one per provider process and hands it
 * to each kind's provider. Credentials are read here, at run time (`configure`), and never reach
 * the serialized provider in state.
 */
export class ProviderContext {
  private options: ClientOptions = {};
  private fingerprint = "";
  private instance?: AnypointClient;
  /** Clients for control planes other than the configured one, by base URL (same credentials). */
  private readonly elsewhere = new Map<string, AnypointClient>();

  configure(config: StackConfig): void {
    const options = optionsFromConfig(config);
    const fingerprint = JSON.stringify(options);
    // Each resource kind's provider calls configure with the same config: keep the client (and its token).
    if (fingerprint === this.fingerprint && this.instance) return;
    this.options = options;
    this.fingerprint = fingerprint;
    this.elsewhere.clear();
    // Built now so that bad configuration (no credentials, plain http to a remote host) fails
    // the preview, before anything is changed.
    this.instance = AnypointClient.fromOptions(options, process.env);
  }

  get client(): AnypointClient {
    this.instance ??= AnypointClient.fromOptions(this.options, process.env);
    return this.instance;
  }

  /** The configured control plane, normalised: what a new resource records as where it lives. */
  get baseUrl(): string {
    return this.client.baseUrl;
  }

  /**
   * The client for the control plane a resource lives in: the one recorded in its state at
   * creation (states written before that was recorded: the configured one). Refresh and destroy
   * act there, never on whatever the stack config names today.
   */
  clientFor(state: { baseUrl?: string }): AnypointClient {
    const baseUrl = this.elsewhereUrl(state);
    if (baseUrl === undefined) return this.client;
    let client = this.elsewhere.get(baseUrl);
    if (!client) {
      client = AnypointClient.fromOptions({ ...this.options, baseUrl }, process.env);
      this.elsewhere.set(baseUrl, client);
    }
    return client;
  }

  /**
   * Refuses to change a resource through a control plane other than the one it lives in: after
   * `anypoint:baseUrl` changes, an update would reach another region's (or another
   * installation's) object with the same id. Called by diff, so the preview stops before anything
   * is written.
   */
  assertSameControlPlane(kind: string, id: string, state: { baseUrl?: string }): void {
    const elsewhere = this.elsewhereUrl(state);
    if (elsewhere === undefined) return;
    throw new InputError(
      `${kind} ${id} lives in ${elsewhere}, but anypoint:baseUrl is now ${this.baseUrl}. ` +
        "pulumi-anypoint does not move objects between control planes. Set anypoint:baseUrl back; or, to leave " +
        "this object where it is and stop managing it, `pulumi state delete` it; or `pulumi destroy` " +
        "(it deletes the object where it lives) before pointing the stack elsewhere.",
    );
  }

  /** The recorded control plane, normalised, when it is not the configured one. */
  private elsewhereUrl(state: { baseUrl?: string }): string | undefined {
    if (state.baseUrl === undefined) return undefined;
    const recorded = normalizeBaseUrl(state.baseUrl);
    return recorded === this.baseUrl ? undefined : recorded;
  }

  rootOrganizationId(state: { baseUrl?: string } = {}): Promise<string> {
    return this.clientFor(state).rootOrganizationId();
  }
}
