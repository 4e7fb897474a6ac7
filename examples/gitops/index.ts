import * as pulumi from "@pulumi/pulumi";
import { ApiContract, ClientApplication, getApiInstance, getTier } from "pulumi-anypoint";

// Everything a reviewer needs to judge a change is in this file and the stack's config: the
// pull request's preview shows what `pulumi up` on main will do.
const config = new pulumi.Config();
const environmentId = config.require("environmentId");
const customersTierName = config.get("customersTier") ?? "Free";

const customers = getApiInstance({ environmentId, assetId: "customers-api", productVersion: "v1" });
const payments = getApiInstance({ environmentId, assetId: "payments-api" });
const customersTier = customers.then((api) =>
  getTier({ environmentId, apiInstanceId: api.id, name: customersTierName }),
);

const portal = new ClientApplication("partner-portal", {
  name: "partner-portal",
  description: "Partner self-service portal",
  url: "https://partners.example.com",
  redirectUris: ["https://partners.example.com/oauth/callback"],
  grantTypes: ["authorization_code", "refresh_token"],
});

const customersAccess = new ApiContract("partner-portal-customers", {
  applicationId: portal.applicationId,
  environmentId,
  apiInstanceId: customers.then((api) => api.id),
  tierId: customersTier.then((tier) => tier.id),
});

const paymentsAccess = new ApiContract("partner-portal-payments", {
  applicationId: portal.applicationId,
  environmentId,
  apiInstanceId: payments.then((api) => api.id),
});

export const applicationId = portal.applicationId;
export const clientId = portal.clientId;
export const clientSecret = portal.clientSecret;
export const contracts = {
  customers: {
    contractId: customersAccess.contractId,
    status: customersAccess.status,
    tierId: customersAccess.tierId,
  },
  payments: { contractId: paymentsAccess.contractId, status: paymentsAccess.status },
};
