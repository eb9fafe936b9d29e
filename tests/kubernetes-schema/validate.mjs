// Validates every document of the given multi-document YAML files against the Kubernetes API's published OpenAPI
// schemas (kubernetes-models, generated from Kubernetes' own swagger.json): types, required fields and unknown fields.
// Prints one line per document ("ok KIND NAME" or "invalid FILE: KIND NAME: reason") and exits 1 when any is invalid.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import yaml from "js-yaml";

const require = createRequire(import.meta.url);

function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.\/-]+$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) {
    throw new Error(`apiVersion '${apiVersion}' and kind '${kind}' must both be set`);
  }
  try {
    return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch {
    throw new Error(`no Kubernetes schema for apiVersion '${apiVersion}' kind '${kind}'`);
  }
}

let invalid = 0;
for (const file of process.argv.slice(2)) {
  const documents = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d != null);
  if (documents.length === 0) {
    console.log(`invalid ${file}: no documents`);
    invalid++;
  }
  for (const document of documents) {
    const name = document?.metadata?.name ?? "(no name)";
    try {
      const Model = modelFor(document.apiVersion, document.kind);
      new Model(document).validate();
      console.log(`ok ${document.kind} ${name}`);
    } catch (error) {
      invalid++;
      console.log(`invalid ${file}: ${document?.kind} ${name}: ${String(error.message ?? error).replace(/\s+/g, " ")}`);
    }
  }
}
process.exit(invalid === 0 ? 0 : 1);
