// One modal <dialog> for forms, details, logs and confirmations. showModal() gives the
// focus trap and Escape for free; focus returns to the element that opened it.

import { el } from "./util.js";

const dialog = () => document.getElementById("dialog");
let refresher = null;
let opener = null;

export function openDialog(title, content, refresh = null) {
  const box = dialog();
  if (!box.open) opener = document.activeElement;
  document.getElementById("dialog-title").textContent = title;
  document.getElementById("dialog-body").replaceChildren(content);
  refresher = refresh;
  if (!box.open) box.showModal();
  const first = box.querySelector("#dialog-body input, #dialog-body select, #dialog-body button, #dialog-body [tabindex]");
  (first || document.getElementById("dialog-close")).focus();
}

export function closeDialog() {
  const box = dialog();
  if (box.open) box.close();
}

// Live content (an instance's details) is redrawn when the data changes.
export function refreshDialog(state) {
  if (refresher && dialog().open) refresher(state);
}

export function confirmAction(message, label) {
  return new Promise((resolve) => {
    const yes = el("button", { type: "button", class: "danger", "data-confirm": "yes" }, label);
    const no = el("button", { type: "button", "data-confirm": "no" }, "Cancel");
    const finish = (answer) => { closeDialog(); resolve(answer); };
    yes.addEventListener("click", () => finish(true));
    no.addEventListener("click", () => finish(false));
    dialog().addEventListener("close", () => resolve(false), { once: true });
    openDialog("Please confirm", el("div", { class: "confirm" }, el("p", {}, message), el("p", { class: "buttons" }, yes, no)));
    no.focus();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("dialog-close").addEventListener("click", closeDialog);
  dialog().addEventListener("close", () => {
    refresher = null;
    opener?.focus?.();
    opener = null;
  });
});
