/** The resource kinds this package provides: each has its provider object at `pulumi-anypoint/kinds/<Kind>`. */
export type ResourceKind = "ClientApplication" | "ApiContract";
