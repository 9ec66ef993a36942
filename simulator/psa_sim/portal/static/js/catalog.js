// Catalog objects (GET /catalog/buckets/{b}/resources) read into plain workflow records:
// generic information, pca.states transitions and each variable with its model, group,
// advanced and hidden flags, as the catalog's key/value labels carry them.

const TRANSITION = /\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)/g;

export function parseTransitions(text) {
  return [...(text || "").matchAll(TRANSITION)].map((m) => ({ from: m[1], to: m[2] }));
}

export function readWorkflow(object) {
  const generic = {};
  const vars = new Map();
  let description = "";
  const variable = (key) => {
    if (!vars.has(key)) {
      vars.set(key, { name: key, value: "", model: "", description: "", group: "", advanced: false, hidden: false });
    }
    return vars.get(key);
  };
  for (const { label, key, value } of object.object_key_values || []) {
    const text = value ?? "";
    if (label === "generic_information") generic[key] = text;
    else if (label === "General" && key === "description") description = text;
    else if (label === "variable") variable(key).value = text;
    else if (label === "variable_model") variable(key).model = text;
    else if (label === "variable_description") variable(key).description = text;
    else if (label === "variable_group") variable(key).group = text;
    else if (label === "variable_advanced") variable(key).advanced = text === "true";
    else if (label === "variable_hidden") variable(key).hidden = text === "true";
  }
  const transitions = parseTransitions(generic["pca.states"]);
  return {
    name: object.name,
    bucket: object.bucket_name,
    project: object.project_name || "",
    description,
    icon: generic["workflow.icon"] || "",
    serviceId: generic["pca.service.id"] || "",
    transitions,
    isActivation: transitions.some((t) => t.from === "VOID"),
    variables: [...vars.values()],
  };
}

export class Catalog {
  constructor(objects = []) {
    this.workflows = objects.map(readWorkflow).filter((w) => w.serviceId);
    this.byKey = new Map(this.workflows.map((w) => [`${w.bucket}/${w.name}`, w]));
  }

  get activations() {
    return this.workflows.filter((w) => w.isActivation).sort((a, b) => a.name.localeCompare(b.name));
  }

  // service id -> its workflows, services sorted by id, activations first in each
  get services() {
    const services = new Map();
    for (const w of this.workflows) {
      if (!services.has(w.serviceId)) services.set(w.serviceId, []);
      services.get(w.serviceId).push(w);
    }
    const sorted = [...services.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [, list] of sorted) {
      list.sort((a, b) => (b.isActivation - a.isActivation) || a.name.localeCompare(b.name));
    }
    return sorted;
  }

  workflow(bucket, name) { return this.byKey.get(`${bucket}/${name}`); }

  // The actions pca.states allows from the instance's state (ALL matches every state but
  // VOID). Offered as buttons only; the server decides (409 otherwise). None while a
  // transition runs: only the kill is possible then.
  actionsFor(instance) {
    const state = instance.instance_status;
    if (state.includes("->")) return [];
    return this.workflows
      .filter((w) => w.serviceId === instance.service_id && w.bucket === instance.bucket_name && !w.isActivation)
      .flatMap((w) => w.transitions
        .filter((t) => t.from === state || (t.from === "ALL" && state !== "VOID"))
        .slice(0, 1)
        .map((t) => ({ workflow: w, to: t.to })))
      .sort((a, b) => a.workflow.name.localeCompare(b.workflow.name));
  }

  // Secret variables of a service (PA:HIDDEN, PA:CREDENTIAL in any of its workflows).
  secretsOf(serviceId) {
    const names = new Set();
    for (const w of this.workflows) {
      if (w.serviceId !== serviceId) continue;
      for (const v of w.variables) if (isSecret(v.model)) names.add(v.name);
    }
    return names;
  }
}

export function isSecret(model) {
  return /^PA:(HIDDEN|CREDENTIAL)/i.test(model || "");
}
