import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ApiContract, ClientApplication, getApiInstance, getTier, type ApiInstance } from "pulumi-anypoint";
import { ConsumersFileError, parseConsumers, type Access } from "./consumers";

const config = new pulumi.Config();
const file = path.resolve(__dirname, config.get("consumersFile") ?? "consumers.yaml");

function load() {
  try {
    return parseConsumers(fs.readFileSync(file, "utf8"), path.basename(file));
  } catch (error) {
    // RunError: the message alone, without a stack trace of this program.
    if (error instanceof ConsumersFileError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
const catalog = load();

// One lookup per API instance, however many consumers ask for it.
const instances = new Map<string, Promise<ApiInstance>>();
function apiInstance(a: Access): Promise<ApiInstance> {
  const key = `${a.environment}/${a.assetId}/${a.versionGroup}`;
  let instance = instances.get(key);
  if (!instance) {
    instance = getApiInstance({
      environmentId: catalog.environments[a.environment],
      assetId: a.assetId,
      productVersion: a.versionGroup,
    });
    instances.set(key, instance);
  }
  return instance;
}

const consumers: Record<string, pulumi.Output<unknown>> = {};
const clientSecrets: Record<string, pulumi.Output<string>> = {};

for (const consumer of catalog.consumers) {
  const app = new ClientApplication(consumer.name, {
    name: consumer.name,
    description:
      [consumer.description, consumer.owner && `Owner: ${consumer.owner}`].filter(Boolean).join(". ") ||
      undefined,
    url: consumer.url,
    redirectUris: consumer.redirectUris,
    grantTypes: consumer.grantTypes,
  });

  const contracts: Record<string, pulumi.Output<unknown>> = {};
  for (const a of consumer.access) {
    const environmentId = catalog.environments[a.environment];
    const instance = apiInstance(a);
    const tier = a.tier;
    const contract = new ApiContract(
      `${consumer.name}-${a.assetId}-${a.versionGroup}-${a.environment}`.toLowerCase(),
      {
        applicationId: app.applicationId,
        environmentId,
        apiInstanceId: instance.then((api) => api.id),
        tierId:
          tier === undefined
            ? undefined
            : instance
                .then((api) => getTier({ environmentId, apiInstanceId: api.id, name: tier }))
                .then((t) => t.id),
        approve: a.approve,
      },
      { parent: app },
    );
    contracts[`${a.assetId} ${a.versionGroup} ${a.environment}`] = pulumi.output({
      contractId: contract.contractId,
      status: contract.status,
      tierId: contract.tierId,
      requestedTierId: contract.requestedTierId,
    });
  }

  consumers[consumer.name] = pulumi.output({
    applicationId: app.applicationId,
    clientId: app.clientId,
    contracts,
  });
  clientSecrets[consumer.name] = app.clientSecret;
}

/** Per consumer: the application, its client id and the status of each contract. */
export const applications = consumers;
/** Per consumer: the client secret (a Pulumi secret; hand it over through your secret store). */
export const secrets = pulumi.secret(clientSecrets);
