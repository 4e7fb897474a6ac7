import * as pulumi from "@pulumi/pulumi";
import { ApiContract, ClientApplication, getApiInstance, getTier } from "pulumi-anypoint";

// The environment whose APIs the consumer needs (the emulator's Sandbox by default).
const config = new pulumi.Config();
const environmentId = config.get("environmentId") ?? "5e1f7c2a-8b3d-4e6f-9a0b-1c2d3e4f5a61";

const payments = getApiInstance({ environmentId, assetId: "payments-api" });
const orders = getApiInstance({ environmentId, assetId: "orders-api", productVersion: "v1" });
const gold = orders.then((api) => getTier({ environmentId, apiInstanceId: api.id, name: "Gold" }));

const app = new ClientApplication("mobile-banking", {
  name: "mobile-banking",
  description: "Mobile banking app (iOS and Android)",
  url: "https://mobile.example.com",
  grantTypes: ["client_credentials"],
});

// payments-api has no SLA tiers: access is approved at once.
const paymentsAccess = new ApiContract("mobile-banking-payments", {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: payments.then((api) => api.id),
});

// Gold needs approval; as the API owner this program approves it.
const ordersAccess = new ApiContract("mobile-banking-orders", {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: orders.then((api) => api.id),
  tierId: gold.then((tier) => tier.id),
  approve: true,
});

export const applicationId = app.applicationId;
export const clientId = app.clientId;
export const clientSecret = app.clientSecret; // a secret: `pulumi stack output --show-secrets clientSecret`
export const contracts = {
  payments: {
    contractId: paymentsAccess.contractId,
    status: paymentsAccess.status,
    assetId: payments.then((api) => api.assetId),
  },
  orders: {
    contractId: ordersAccess.contractId,
    status: ordersAccess.status,
    assetId: orders.then((api) => api.assetId),
    tierId: ordersAccess.tierId,
  },
};
