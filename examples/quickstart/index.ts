import * as pulumi from "@pulumi/pulumi";
import { ApiContract, ClientApplication, getApiInstance, getTier } from "pulumi-anypoint";

const config = new pulumi.Config();
// The environment that runs the APIs (UUID: Access Management > Environments, or the emulator's banner).
const environmentId = config.require("environmentId");
const applicationName = config.get("applicationName") ?? "orders-dashboard";
const ordersTierName = config.get("ordersTier") ?? "Silver";

// Find the API instances by their Exchange asset, not by ids that differ per environment.
const orders = getApiInstance({ environmentId, assetId: "orders-api", productVersion: "v1" });
const payments = getApiInstance({ environmentId, assetId: "payments-api" });
const ordersTier = orders.then((api) =>
  getTier({ environmentId, apiInstanceId: api.id, name: ordersTierName }),
);

const app = new ClientApplication(applicationName, {
  name: applicationName,
  description: "Internal dashboard that reads orders and payments",
  url: "https://dashboard.example.com",
  grantTypes: ["client_credentials"],
});

// orders-api has SLA tiers: the contract names one. A tier that needs approval stays PENDING
// until an API owner approves it, unless `approve: true` (needs Manage Contracts).
const ordersAccess = new ApiContract(`${applicationName}-orders`, {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: orders.then((api) => api.id),
  tierId: ordersTier.then((tier) => tier.id),
});

// payments-api has no tiers: access is approved at once.
const paymentsAccess = new ApiContract(`${applicationName}-payments`, {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: payments.then((api) => api.id),
});

export const applicationId = app.applicationId;
export const clientId = app.clientId;
// A Pulumi secret: `pulumi stack output --show-secrets clientSecret`.
export const clientSecret = app.clientSecret;
export const contracts = {
  orders: { contractId: ordersAccess.contractId, status: ordersAccess.status, tierId: ordersAccess.tierId },
  payments: { contractId: paymentsAccess.contractId, status: paymentsAccess.status },
};
