import type * as pulumi from "@pulumi/pulumi";
import type { Application, ApplicationInput } from "../../client";
import { inputKeys, outputKeys, type StateOf } from "../fields";
import { clientApplicationFields, clientApplicationInputs, type ClientApplicationInputs } from "../inputs";
import { checkInputs, RETIRED_OUTPUTS, sameUuid, UNKNOWN } from "../inputs";
import type { ProviderContext } from "./context";
import { InputError, isNotFound, MissingPermissionError } from "./errors";
import { declaredInputs, definedOnly, gone, readResult, recordedState, retiredOutputs } from "./state";

/** What the stack records for a ClientApplication: the inputs, with live values where Anypoint has them. */
export type ClientApplicationState = StateOf<typeof clientApplicationFields>;

const INPUT_KEYS = inputKeys(clientApplicationFields);
const OUTPUT_KEYS = outputKeys(clientApplicationFields);

// The fields Anypoint lets a PATCH change; anything else replaces the application.
type EditableField = "name" | "description" | "url" | "redirectUris" | "grantTypes";
const EDITABLE: readonly EditableField[] = ["name", "description", "url", "redirectUris", "grantTypes"];

/** The ClientApplication provider, acting through `context`'s client. */
export function makeClientApplicationProvider(
  context: ProviderContext,
): pulumi.dynamic.ResourceProvider<ClientApplicationInputs, ClientApplicationState> {
  return {
    check: checkInputs(clientApplicationInputs, OUTPUT_KEYS),

    async diff(id, olds, news) {
      context.assertSameControlPlane("ClientApplication", id, olds);
      const replaces: string[] = [];
      if (news.organizationId !== undefined && !sameUuid(news.organizationId, olds.masterOrganizationId)) {
        replaces.push("organizationId");
      }
      if ((news.apiEndpoints ?? false) !== (olds.apiEndpoints ?? false)) replaces.push("apiEndpoints");
      const changed = changedFields(olds, news);
      const rotate = news.secretRotation !== olds.secretRotation;
      return {
        changes: replaces.length > 0 || changed.length > 0 || rotate,
        replaces,
        // Names are unique in the organization: the old application must go before its successor exists.
        deleteBeforeReplace: replaces.length > 0,
      };
    },

    async create(inputs) {
      const client = context.client;
      const organizationId = inputs.organizationId ?? (await context.rootOrganizationId());
      if (inputs.adopt) {
        const existing = await findForAdoption(context, organizationId, inputs.name);
        if (existing) {
          // Adoption records the application as it is; if it differs from the program, the next
          // preview shows the update instead of changing it behind the user's back.
          return {
            id: String(existing.id),
            outs: {
              ...stateOf(existing, inputs, organizationId, { adopted: true }),
              baseUrl: context.baseUrl,
            },
          };
        }
      }
      const body = definedOnly(applicationBody(inputs, { clearUnset: false }));
      const app = await client.createApplication(organizationId, body, {
        apiInstanceId: inputs.apiInstanceId,
      });
      return {
        id: String(app.id),
        outs: { ...stateOf(app, inputs, organizationId), baseUrl: context.baseUrl },
      };
    },

    async read(id, recorded) {
      const props = recordedState(recorded);
      const organizationId = props.masterOrganizationId ?? (await context.rootOrganizationId(props));
      try {
        const app = await context.clientFor(props).getApplication(organizationId, Number(id));
        const live = stateOf(app, props, organizationId, { previousSecret: props.clientSecret });
        const kept = retiredOutputs(props, RETIRED_OUTPUTS.ClientApplication);
        return readResult(id, { ...live, ...kept, baseUrl: props.baseUrl ?? context.baseUrl }, INPUT_KEYS);
      } catch (error) {
        // Only a 404 of the application itself proves it is gone; anything else fails the refresh.
        if (isNotFound(error)) return gone();
        throw error;
      }
    },

    async update(id, olds, news) {
      const client = context.clientFor(olds);
      const organizationId = olds.masterOrganizationId;
      const applicationId = Number(id);
      let app: Application | undefined;
      if (changedFields(olds, news).length > 0) {
        app = await client.updateApplication(organizationId, applicationId, applicationBody(news));
      }
      if (news.secretRotation !== olds.secretRotation) {
        app = await client.resetApplicationSecret(organizationId, applicationId);
      }
      app ??= await client.getApplication(organizationId, applicationId);
      return {
        outs: {
          ...stateOf(app, news, organizationId, { previousSecret: olds.clientSecret }),
          baseUrl: olds.baseUrl ?? context.baseUrl,
        },
      };
    },

    async delete(id, props) {
      await context.clientFor(props).deleteApplication(props.masterOrganizationId, Number(id));
    },
  };
}

/**
 * The request body; on update (`clearUnset`, the default) an unset text field is sent empty, so
 * removing it from the program clears it. On create nothing needs clearing and `apiEndpoints` is sent.
 */
function applicationBody(
  inputs: ClientApplicationInputs,
  { clearUnset = true }: { clearUnset?: boolean } = {},
): ApplicationInput {
  const cleared = clearUnset ? "" : undefined;
  return {
    name: inputs.name,
    description: inputs.description ?? cleared,
    url: inputs.url ?? cleared,
    redirectUri: inputs.redirectUris ?? [],
    grantTypes: inputs.grantTypes ?? [],
    apiEndpoints: clearUnset ? undefined : inputs.apiEndpoints,
  };
}

/** The editable fields whose live value differs from the desired one. */
export function changedFields(
  live: Partial<ClientApplicationState>,
  desired: ClientApplicationInputs,
): EditableField[] {
  return EDITABLE.filter((field) => {
    const want: unknown = desired[field];
    if (want === UNKNOWN || (Array.isArray(want) && want.includes(UNKNOWN))) return true;
    switch (field) {
      case "name":
        return live.name !== desired.name;
      case "description":
      case "url":
        return (live[field] ?? "") !== (desired[field] ?? "");
      case "redirectUris":
      case "grantTypes":
        return !sameSet(live[field] ?? [], desired[field] ?? []);
    }
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/**
 * The state to record for `app`: the declared inputs (`declared`: the program's, or those the
 * stack recorded), with Anypoint's values of the fields it keeps. `adopted`: the application was
 * adopted rather than created. `previousSecret`: the secret already recorded, kept when
 * Anypoint's answer has none.
 */
function stateOf(
  app: Application,
  declared: Partial<ClientApplicationState>,
  organizationId: string,
  { adopted = false, previousSecret }: { adopted?: boolean; previousSecret?: string } = {},
): ClientApplicationState {
  const clientSecret = app.clientSecret ?? previousSecret;
  if (clientSecret === undefined) {
    throw new MissingPermissionError(
      `Anypoint returned client application ${app.id} without its client secret: the credentials can see ` +
        "but not manage it. Grant Manage Client Applications (manage:client_applications) on the root " +
        "organization, or the per-application scope manage:client_application for this application.",
    );
  }
  return definedOnly({
    ...declaredInputs(INPUT_KEYS, declared),
    name: app.name,
    description: app.description || undefined,
    url: app.url || undefined,
    redirectUris: app.redirectUri ?? [],
    grantTypes: app.grantTypes ?? [],
    adopt: adopted || declared.adopt || undefined,
    clientId: app.clientId,
    clientSecret,
    masterOrganizationId: app.masterOrganizationId ?? organizationId,
  });
}

/**
 * The existing application called `name`, or undefined when there is none. The admin list is
 * checked against the caller's own list, because the admin list answers an empty 200 when the
 * credentials lack a read scope (KB 005385409): an empty answer there is not proof of absence.
 */
async function findForAdoption(
  context: ProviderContext,
  organizationId: string,
  name: string,
): Promise<Application | undefined> {
  const client = context.client;
  const [everyone, own] = await Promise.all([
    client.findApplicationsByName(organizationId, name),
    client.listOwnApplications(organizationId, { query: name, literalMatch: true }),
  ]);
  const ids = new Set([...everyone, ...own.filter((app) => app.name === name)].map((app) => app.id));
  if (ids.size > 1) {
    throw new InputError(
      `adopt: ${ids.size} client applications are named "${name}" (ids ${[...ids].join(", ")}); ` +
        "rename the duplicates in Anypoint or give this resource a unique name.",
    );
  }
  const [id] = ids;
  return id === undefined ? undefined : client.getApplication(organizationId, id);
}
