import * as pulumi from "@pulumi/pulumi";
import { type Agrees, type Declares, withShownOutputs } from "./fields";
import { apiContractFields } from "./inputs";
import { pauseStackCapture, stubProvider } from "./stub";

export interface ApiContractArgs {
  /** The client application (its `applicationId`). Changing it replaces the contract. */
  applicationId: pulumi.Input<number>;
  /** Environment of the API instance (UUID). Changing it replaces the contract. */
  environmentId: pulumi.Input<string>;
  /** The API instance (API Manager id). Changing it replaces the contract. */
  apiInstanceId: pulumi.Input<number>;
  /** SLA tier; required when the instance has tiers (the error lists them). Changing it updates in place. */
  tierId?: pulumi.Input<number>;
  /**
   * When the contract comes back PENDING (a tier that needs approval), approve it as the API
   * owner. Needs Manage Contracts (`manage:api_contracts`) in the environment. Default false.
   */
  approve?: pulumi.Input<boolean>;
  /** Accept the API's terms and conditions when requesting access. Default true; false is refused. */
  acceptedTerms?: pulumi.Input<boolean>;
  /** Organization or business group that owns the environment. Defaults to the root organization. */
  organizationId?: pulumi.Input<string>;
  /** Take over the existing contract of this application and API instance instead of failing on the 409. */
  adopt?: pulumi.Input<boolean>;
}

/** A contract's status as API Manager reports it. */
export type ContractStatus = "APPROVED" | "PENDING" | "REVOKED" | "REJECTED";

/**
 * An API contract: a client application's access to one API instance, optionally at an SLA tier.
 * Requested through the Exchange Experience API v2 (the asset coordinates are read from the API
 * instance), approved, revoked and deleted through API Manager.
 *
 * See https://docs.mulesoft.com/api-manager/latest/access-contracts
 */
export class ApiContract extends pulumi.dynamic.Resource {
  /** The contract id: the resource id as a number (not recorded a second time in the stack). */
  public readonly contractId: pulumi.Output<number>;
  declare public readonly status: pulumi.Output<ContractStatus>;
  /** The tier in force (approved), if any. */
  declare public readonly tierId: pulumi.Output<number | undefined>;
  /** The tier requested and awaiting approval, if any. */
  declare public readonly requestedTierId: pulumi.Output<number | undefined>;
  /** The organization or business group of the API instance's environment. */
  declare public readonly apiOrganizationId: pulumi.Output<string>;

  constructor(name: string, args: ApiContractArgs, opts?: pulumi.CustomResourceOptions) {
    // The SDK captures a formatted stack trace for each of its promises here: see pauseStackCapture.
    const resumeStackCapture = pauseStackCapture();
    try {
      super(
        stubProvider("ApiContract"),
        name,
        withShownOutputs(args, apiContractFields),
        opts,
        "anypoint",
        "ApiContract",
      );
      this.contractId = this.id.apply(Number);
    } finally {
      resumeStackCapture();
    }
  }
}

// The fields are declared in apiContractFields (provider/inputs.ts); these fail `tsc` when the
// Args interface or the declared outputs above leave that table (contractId is derived).
const _args: Agrees<typeof apiContractFields, ApiContractArgs> = true;
const _outputs: Declares<typeof apiContractFields, ApiContract, "contractId"> = true;
