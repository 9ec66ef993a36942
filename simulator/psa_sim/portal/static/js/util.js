// Small DOM and formatting helpers shared by the views.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Epoch milliseconds (simulated time) as "2026-01-01 00:00:40"; "–" when absent.
export function when(ms) {
  if (ms === null || ms === undefined || ms < 0) return "–";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// A workflow's icon, or a lettered badge when it has none or the image does not load
// (the real dashboard's icon paths are not served by psa-sim). Failed sources are
// remembered so that a re-render does not ask for them again.
const failedIcons = new Set();

export function badgeHtml(name) {
  const letters = esc((name || "?").replace(/[^A-Za-z0-9]/g, "").slice(0, 2).toUpperCase() || "?");
  const hue = [...(name || "")].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  return `<span class="icon badge" style="--hue:${hue}" aria-hidden="true">${letters}</span>`;
}

export function iconHtml(src, name) {
  if (!src || failedIcons.has(src)) return badgeHtml(name);
  return `<img class="icon" src="${esc(src)}" alt="" data-name="${esc(name)}">`;
}

export function installIconFallback() {
  document.addEventListener("error", (event) => {
    const img = event.target;
    if (img instanceof HTMLImageElement && img.classList.contains("icon")) {
      failedIcons.add(img.getAttribute("src"));
      img.outerHTML = badgeHtml(img.dataset.name);
    }
  }, true);
}

export function statusClass(status) {
  if (!status) return "";
  if (status.includes("->")) return "transition";
  return `s-${status.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

export function statusHtml(status) {
  return `<span class="status ${statusClass(status)}">${esc(status)}</span>`;
}
