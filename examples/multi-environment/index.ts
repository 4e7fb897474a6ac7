import * as pulumi from "@pulumi/pulumi";
import { ApiContract, ClientApplication, getApiInstance, getTier } from "pulumi-anypoint";

// One program, one stack per environment: Pulumi.sandbox.yaml and Pulumi.production.yaml say
// where the APIs run and which SLA tier this consumer gets there.
const config = new pulumi.Config();
const stack = pulumi.getStack();
const environmentId = config.require("environmentId");
const ordersTierName = config.require("ordersTier");
const customersTierName = config.require("customersTier");
const approve = config.getBoolean("approve") ?? false;

// Client applications belong to the organization, not to an environment, and their names are
// unique: each stack gets its own application (and so its own credentials) with the stack's name.
const applicationName = config.get("applicationName") ?? `checkout-service-${stack}`;

const orders = getApiInstance({ environmentId, assetId: "orders-api", productVersion: "v1" });
const customers = getApiInstance({ environmentId, assetId: "customers-api", productVersion: "v1" });
const tierOf = (api: Promise<{ id: number }>, name: string) =>
  api
    .then((instance) => getTier({ environmentId, apiInstanceId: instance.id, name }))
    .then((tier) => tier.id);

const app = new ClientApplication("checkout-service", {
  name: applicationName,
  description: `Checkout service (${stack})`,
  grantTypes: ["client_credentials"],
});

const ordersAccess = new ApiContract("checkout-service-orders", {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: orders.then((api) => api.id),
  tierId: tierOf(orders, ordersTierName),
  approve,
});

const customersAccess = new ApiContract("checkout-service-customers", {
  applicationId: app.applicationId,
  environmentId,
  apiInstanceId: customers.then((api) => api.id),
  tierId: tierOf(customers, customersTierName),
  approve,
});

export const application = { id: app.applicationId, name: app.name };
export const clientId = app.clientId;
export const clientSecret = app.clientSecret;
export const contracts = {
  orders: {
    status: ordersAccess.status,
    tierId: ordersAccess.tierId,
    requestedTierId: ordersAccess.requestedTierId,
  },
  customers: {
    status: customersAccess.status,
    tierId: customersAccess.tierId,
    requestedTierId: customersAccess.requestedTierId,
  },
};
