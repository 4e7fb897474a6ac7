// The provider object of every ClientApplication, as the whole module.exports: the SDK then writes
// `require("pulumi-anypoint/kinds/ClientApplication")` into state instead of code (see ../stub.ts).
// This module's export path is recorded in state: never rename or move it.
import { kindProvider } from "../stub";

export = kindProvider("ClientApplication");
