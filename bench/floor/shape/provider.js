// The shape floor's provider (bench/floor/shape/index.ts): does nothing, but answers with outputs
// shaped as pulumi-anypoint's. The benchmark installs it as bench/floor/shape/node_modules/
// floor-shape before the run, so that the SDK records `require("floor-shape")` in each resource,
// as it records `require("pulumi-anypoint/kinds/<Kind>")` for the provider's own resources.
const ORGANIZATION = "7f3c2a91-4d8e-4b6a-9c1f-2e5d8a7b3c10";
const BASE_URL = "http://127.0.0.1:43817";
const hex = () => Math.random().toString(16).slice(2, 10).padEnd(8, "0").repeat(4);

module.exports = {
  async create(inputs) {
    const id = Math.floor(1 + Math.random() * 8999999);
    // A contract has an applicationId input; an application does not.
    const outs =
      inputs.applicationId === undefined
        ? {
            ...inputs,
            baseUrl: BASE_URL,
            clientId: hex(),
            clientSecret: hex(),
            grantTypes: [],
            masterOrganizationId: ORGANIZATION,
            redirectUris: [],
          }
        : {
            ...inputs,
            apiOrganizationId: ORGANIZATION,
            baseUrl: BASE_URL,
            status: "APPROVED",
          };
    return { id: String(id), outs };
  },
  async diff() {
    return { changes: false };
  },
};
