import * as pulumi from "@pulumi/pulumi";
import { type Agrees, type Declares, withShownOutputs } from "./fields";
import { clientApplicationFields } from "./inputs";
import { pauseStackCapture, stubProvider } from "./stub";

/** Grant types an Anypoint client application may use. */
export type GrantType =
  "client_credentials" | "password" | "implicit" | "authorization_code" | "refresh_token";

export interface ClientApplicationArgs {
  /** Display name; unique in the root organization. Renaming updates in place. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** The application's home page. */
  url?: pulumi.Input<string>;
  /** OAuth redirect URIs. */
  redirectUris?: pulumi.Input<pulumi.Input<string>[]>;
  /** OAuth grant types; empty for applications on the built-in client provider. */
  grantTypes?: pulumi.Input<pulumi.Input<GrantType>[]>;
  /** Whether the application exposes API endpoints. Fixed at creation: changing it replaces. */
  apiEndpoints?: pulumi.Input<boolean>;
  /** API instance to create the application against; required by federated organizations. Only used at creation. */
  apiInstanceId?: pulumi.Input<number>;
  /** Root organization id. Defaults to `anypoint:organizationId` or the organization of the credentials. Changing it replaces. */
  organizationId?: pulumi.Input<string>;
  /** Any value; changing it resets the client secret in place (same client id, new secret). */
  secretRotation?: pulumi.Input<string | number>;
  /** Take over an existing application of the same name instead of failing on the duplicate-name 409. */
  adopt?: pulumi.Input<boolean>;
}

/**
 * An Anypoint client application: an OAuth client (client id and secret) that consumers use to
 * call APIs. Managed through the Exchange Experience API v2.
 *
 * See https://docs.mulesoft.com/exchange/to-request-access
 */
export class ClientApplication extends pulumi.dynamic.Resource {
  /** The application id: the resource id as a number (not recorded a second time in the stack). */
  public readonly applicationId: pulumi.Output<number>;
  declare public readonly clientId: pulumi.Output<string>;
  /** Always a Pulumi secret. */
  declare public readonly clientSecret: pulumi.Output<string>;
  declare public readonly masterOrganizationId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string | undefined>;
  declare public readonly url: pulumi.Output<string | undefined>;
  declare public readonly redirectUris: pulumi.Output<string[]>;
  declare public readonly grantTypes: pulumi.Output<GrantType[]>;

  constructor(name: string, args: ClientApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    // The SDK captures a formatted stack trace for each of its promises here: see pauseStackCapture.
    const resumeStackCapture = pauseStackCapture();
    try {
      super(
        stubProvider("ClientApplication"),
        name,
        withShownOutputs(args, clientApplicationFields),
        pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret"] }),
        "anypoint",
        "ClientApplication",
      );
      this.applicationId = this.id.apply(Number);
    } finally {
      resumeStackCapture();
    }
  }
}

// The fields are declared in clientApplicationFields (provider/inputs.ts); these fail `tsc` when
// the Args interface or the declared outputs above leave that table (applicationId is derived).
const _args: Agrees<typeof clientApplicationFields, ClientApplicationArgs> = true;
const _outputs: Declares<typeof clientApplicationFields, ClientApplication, "applicationId"> = true;
