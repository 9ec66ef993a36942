// A workflow's variables as a form, one input per variable chosen from its model:
// PA:List -> select, PA:Boolean -> checkbox, numbers -> number inputs, PA:HIDDEN and
// PA:CREDENTIAL -> password inputs, anything else -> text. Groups become fieldsets;
// advanced and hidden variables are folded away. Defaults are filled in. The form
// does not judge values itself (novalidate): the server checks them, and its 400
// message is shown next to each variable it names.

import { ApiError } from "./api.js";
import { el } from "./util.js";

let formCount = 0;

function listOptions(model) {
  const match = /^PA:LIST\s*\((.*)\)\s*$/i.exec(model);
  return match ? match[1].split(",").map((option) => option.trim()) : null;
}

function numberStep(model) {
  if (/^PA:(INTEGER|LONG)\b/i.test(model)) return "1";
  if (/^PA:(FLOAT|DOUBLE)\b/i.test(model)) return "any";
  return null;
}

function inputFor(variable, id, describedBy) {
  const model = variable.model || "";
  const common = { id, name: variable.name, "aria-describedby": describedBy };
  const options = listOptions(model);
  if (options) {
    const values = options.includes(variable.value) ? options : [variable.value, ...options];
    return el("select", common, values.map((option) =>
      el("option", { value: option, selected: option === variable.value }, option || "(empty)")));
  }
  if (/^PA:BOOLEAN$/i.test(model)) {
    return el("input", { ...common, type: "checkbox", checked: variable.value.toLowerCase() === "true" });
  }
  if (/^PA:(HIDDEN|CREDENTIAL)/i.test(model)) {
    return el("input", { ...common, type: "password", value: variable.value, autocomplete: "new-password" });
  }
  const step = numberStep(model);
  // A default that is not a number (a ${REFERENCE}) keeps a text input, or it would be lost.
  if (step && (variable.value === "" || Number.isFinite(Number(variable.value)))) {
    return el("input", { ...common, type: "number", step, value: variable.value });
  }
  return el("input", { ...common, type: "text", value: variable.value, spellcheck: "false" });
}

function field(variable, formId) {
  const id = `${formId}-${variable.name}`;
  const help = variable.description || variable.model
    ? el("small", { id: `${id}-help`, class: "help" },
      [variable.description, variable.model ? `(${variable.model})` : ""].filter(Boolean).join(" "))
    : null;
  const error = el("p", { id: `${id}-error`, class: "field-error", "data-error-for": variable.name, role: "alert" });
  const describedBy = [help ? `${id}-help` : "", `${id}-error`].filter(Boolean).join(" ");
  const input = inputFor(variable, id, describedBy);
  const label = el("label", { for: id }, variable.name);
  const wrapper = el("div", { class: `field${input.type === "checkbox" ? " check" : ""}`, "data-variable": variable.name });
  wrapper.append(label, input, help || "", error);
  return wrapper;
}

function sections(variables, formId) {
  const groups = new Map();
  for (const variable of variables) {
    const group = variable.group || "Variables";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(variable);
  }
  return [...groups.entries()].map(([group, list]) =>
    el("fieldset", {}, el("legend", {}, group), list.map((v) => field(v, formId))));
}

// The server's 400 message names each bad variable: "...: variable SERVICE_PORT: 'x' is
// not an Integer (model PA:Integer); variable ENGINE: ...". Messages are split by name.
export function messagesByVariable(message) {
  const found = new Map();
  const pattern = /variable ([A-Za-z0-9_.\-]+): (.*?)(?=; variable [A-Za-z0-9_.\-]+: |$)/g;
  for (const match of message.matchAll(pattern)) found.set(match[1], match[2]);
  return found;
}

export function readValues(form) {
  const values = {};
  for (const input of form.querySelectorAll("[data-variable] input, [data-variable] select")) {
    values[input.name] = input.type === "checkbox" ? String(input.checked) : input.value;
  }
  return values;
}

export function showErrors(form, message) {
  const byName = messagesByVariable(message);
  let placed = 0;
  for (const [name, text] of byName) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot) continue;
    slot.textContent = text;
    slot.closest(".field").classList.add("invalid");
    slot.closest("details")?.setAttribute("open", "");
    placed += 1;
  }
  const general = form.querySelector(".form-error");
  general.textContent = placed === byName.size && placed > 0 ? "Some variables are invalid (see below)." : message;
  const first = form.querySelector(".field.invalid input, .field.invalid select");
  (first || general).focus?.();
}

function clearErrors(form) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const field of form.querySelectorAll(".field.invalid")) field.classList.remove("invalid");
  form.querySelector(".form-error").textContent = "";
}

// submit(values) performs the request; it may throw ApiError, shown in the form.
// `current` (an instance's variables) fills the variables an action shares with it, so an
// action runs on the instance as it is (its INSTANCE_NAME, its ports) unless changed.
export function variablesForm(workflow, { submitLabel, submit, current = {} }) {
  formCount += 1;
  const formId = `f${formCount}`;
  const variables = workflow.variables.map((v) => (v.name in current ? { ...v, value: current[v.name] } : v));
  const visible = variables.filter((v) => !v.advanced && !v.hidden);
  const advanced = variables.filter((v) => v.advanced && !v.hidden);
  const hidden = variables.filter((v) => v.hidden);
  const form = el("form", { class: "variables", novalidate: true, "data-workflow": workflow.name });
  form.append(...sections(visible, formId));
  if (advanced.length) {
    form.append(el("details", { class: "fold" },
      el("summary", {}, `Advanced variables (${advanced.length})`), sections(advanced, formId)));
  }
  if (hidden.length) {
    form.append(el("details", { class: "fold" },
      el("summary", {}, `Hidden variables (${hidden.length})`), sections(hidden, formId)));
  }
  if (!variables.length) form.append(el("p", { class: "muted" }, "This workflow has no variables."));
  const button = el("button", { type: "submit", class: "primary" }, submitLabel);
  form.append(el("p", { class: "form-error", role: "alert", tabindex: "-1" }), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      await submit(readValues(form));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(form, error.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
