// The portal's entry point: login, hash routing (#/login, #/portal/service-automation/<tab>),
// the polling loop that keeps every view live, and event handling shared by the tabs.

import { api, ApiError, session, setUnauthorizedHandler } from "./api.js";
import { Catalog } from "./catalog.js";
import { variablesForm } from "./forms.js";
import { closeDialog, confirmAction, openDialog, refreshDialog } from "./dialog.js";
import { installIconFallback } from "./util.js";
import { views } from "./views.js";

const POLL_MS = 1000;
const HISTORY_LIMIT = 900;
const FINAL_JOB = new Set(["FINISHED", "FAILED", "KILLED", "IN_ERROR", "CANCELED"]);
const JOBS_PAGE = 100; // jobs asked of the scheduler's listing per "Show more"
const TABS = ["activation", "services", "jobs", "activated", "finished", "monitoring", "simulator"];

export const state = {
  catalog: new Catalog(),
  instances: [],
  instancesText: "",
  admin: false,
  metrics: null,
  clock: null,
  history: [], // {t, byStatus, queued, nodes} samples taken while the page is open
  jobs: new Map(), // job id -> its UserJobData, from the scheduler's listing (newest first)
  jobsText: "", // the last listing, as text: parsed only when it changed
  jobsTotal: 0, // jobs the scheduler lists for this user, beyond the page too
  jobsLimit: JOBS_PAGE, // jobs asked for on the Service Jobs tab
  pages: {}, // tab -> page shown (Activated and Finished Services)
  tab: "activation",
  selected: null, // the workflow picked in Service Activation
};

const $ = (id) => document.getElementById(id);
let timer = null;

function notice(text, kind = "ok") {
  const box = $("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
}

// ---------------------------------------------------------------- routing and login
function route() {
  const hash = location.hash || "#/portal/service-automation";
  if (!session.id) {
    if (hash !== "#/login") location.replace("#/login");
    return showLogin();
  }
  if (hash === "#/login") return location.replace("#/portal/service-automation");
  const match = /^#\/portal\/service-automation(?:\/([a-z]+))?/.exec(hash);
  const tab = match && TABS.includes(match[1]) ? match[1] : "activation";
  if (tab === "simulator" && !state.admin) return location.replace("#/portal/service-automation");
  state.tab = tab;
  showPortal();
}

function showLogin() {
  stopPolling();
  $("portal-view").hidden = true;
  $("session-bar").hidden = true;
  $("login-view").hidden = false;
  $("login-user").focus();
}

async function showPortal() {
  $("login-view").hidden = true;
  $("portal-view").hidden = false;
  $("session-bar").hidden = false;
  $("who").textContent = `${session.user}${state.admin ? " (administrator)" : ""}`;
  document.querySelector('[data-tab="simulator"]').hidden = !state.admin;
  for (const link of document.querySelectorAll(".tabs a")) {
    if (link.dataset.tab === state.tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const name of TABS) $(`tab-${name}`).hidden = name !== state.tab;
  render(true);
  startPolling();
}

async function whoAmI() {
  try {
    state.clock = await api.clock();
    state.admin = true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    state.admin = false;
  }
}

async function login(event) {
  event.preventDefault();
  const user = $("login-user").value;
  const error = $("login-error");
  error.textContent = "";
  try {
    const id = await api.login(user, $("login-password").value);
    session.save(id.trim(), user);
    $("login-password").value = "";
    await whoAmI();
    await loadCatalog();
    location.hash = "#/portal/service-automation/activation";
    route();
  } catch (failure) {
    error.textContent = failure.status === 401 || failure.status === 404
      ? "Wrong user name or password." : failure.message;
  }
}

async function logout() {
  try { await api.logout(); } catch { /* the session may already be gone */ }
  session.clear();
  state.instances = [];
  state.instancesText = "";
  state.jobs = new Map();
  state.jobsText = "";
  state.jobsLimit = JOBS_PAGE;
  location.hash = "#/login";
}

setUnauthorizedHandler(() => {
  session.clear();
  location.hash = "#/login";
});

// ---------------------------------------------------------------- data and polling
export async function loadCatalog() {
  state.catalog = new Catalog(await api.workflows());
}

function sample() {
  const byStatus = {};
  for (const instance of state.instances) {
    const status = instance.instance_status.includes("->") ? "TRANSITIONING" : instance.instance_status;
    byStatus[status] = (byStatus[status] || 0) + 1;
  }
  const m = state.metrics;
  const nodes = m ? {
    // exclusive: a busy node counts as busy whatever tokens it holds
    busy: m.nodes.filter((n) => n.up && n.busy).length,
    tokens: m.nodes.filter((n) => n.up && !n.busy && n.tokens.length).length,
    free: m.nodes.filter((n) => n.up && !n.busy && !n.tokens.length).length,
    down: m.nodes.filter((n) => !n.up).length,
  } : null;
  const t = state.clock ? state.clock.now_ms : Date.now();
  const last = state.history[state.history.length - 1];
  const point = { t, byStatus, queued: m ? m.queued_jobs : null, nodes };
  if (last && last.t === t) state.history[state.history.length - 1] = point;
  else state.history.push(point);
  if (state.history.length > HISTORY_LIMIT) state.history.shift();
}

// One request per refresh: the first page of the scheduler's job listing; Service Jobs
// groups these jobs by instance through each instance's job_submissions.
async function refreshJobs() {
  const text = await api.jobsPageText(0, state.jobsLimit);
  if (text === state.jobsText) return false;
  state.jobsText = text;
  const page = JSON.parse(text); // RestMapPage: {size, map: {revision: [UserJobData]}}
  state.jobs = new Map(Object.values(page.map).flat().map((job) => [Number(job.jobid), job]));
  state.jobsTotal = page.size;
  return true;
}

// One refresh at a time: a call during a refresh waits for that one.
let inFlight = null;

export function poll() {
  if (!session.id) return Promise.resolve();
  inFlight ||= refresh().finally(() => { inFlight = null; });
  return inFlight;
}

async function refresh() {
  try {
    const text = await api.instancesText(); // compared as text: parsed only when changed
    let changed = text !== state.instancesText;
    if (changed) {
      state.instancesText = text;
      state.instances = JSON.parse(text);
    }
    if (state.admin) {
      const [clock, metrics] = await Promise.all([api.clock(), api.metrics()]);
      changed ||= JSON.stringify(metrics) !== JSON.stringify(state.metrics) || clock.mode !== state.clock?.mode;
      state.clock = clock;
      state.metrics = metrics;
    }
    if (state.tab === "jobs") changed = (await refreshJobs()) || changed;
    sample();
    updateHeader();
    if (changed || state.tab === "monitoring") render(false);
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401) notice(error.message, "error");
  }
}

function startPolling() {
  if (timer) return;
  poll();
  timer = setInterval(poll, POLL_MS);
}

function stopPolling() {
  clearInterval(timer);
  timer = null;
}

function updateHeader() {
  $("sim-time").textContent = state.clock
    ? `simulated ${new Date(state.clock.now_ms).toISOString().slice(0, 19).replace("T", " ")} · ${state.clock.mode}`
    : "";
  const finished = state.instances.filter((i) => ["FINISHED", "KILLED"].includes(i.instance_status)).length;
  $("count-workflows").textContent = state.catalog.workflows.length;
  $("count-activated").textContent = state.instances.length - finished;
  $("count-finished").textContent = finished;
  $("count-queued").textContent = state.metrics ? state.metrics.queued_jobs : "–";
}

// Re-rendering keeps keyboard focus on the element with the same data-key.
function render(first) {
  const container = $(`tab-${state.tab}`);
  const focused = document.activeElement?.closest?.("[data-key]")?.dataset.key;
  const inside = container.contains(document.activeElement);
  views[state.tab].render(container, state, { first, submitActivation: activationSubmit });
  if (focused && inside) container.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  updateHeader();
  refreshDialog(state);
}

// ---------------------------------------------------------------- user actions
const handlers = {
  async pick(target) {
    state.selected = state.catalog.workflow(target.dataset.bucket, target.dataset.workflow);
    render(false);
    document.querySelector("#tab-activation form.variables [name]")?.focus();
  },
  async refreshCatalog() {
    await loadCatalog();
    notice(`Catalog reloaded: ${state.catalog.workflows.length} workflows.`);
    render(true);
  },
  async submit(target) {
    const workflow = state.catalog.workflow(target.dataset.bucket, target.dataset.workflow);
    openDialog(`Submit ${workflow.name}`, variablesForm(workflow, {
      submitLabel: "Execute",
      submit: async (values) => {
        const instance = await api.create(workflow, values);
        closeDialog();
        created(instance);
      },
    }));
  },
  async action(target) {
    const id = Number(target.dataset.id);
    const workflow = state.catalog.workflow(target.dataset.bucket, target.dataset.workflow);
    const instance = state.instances.find((i) => i.instance_id === id);
    openDialog(`${workflow.name} on instance ${id}`, variablesForm(workflow, {
      current: instance?.variables,
      submitLabel: "Execute action",
      submit: async (values) => {
        const instance = await api.action(id, workflow, values);
        closeDialog();
        notice(`${workflow.name} submitted on instance ${id}: ${instance.instance_status}.`);
        poll();
      },
    }));
  },
  async kill(target) {
    const id = Number(target.dataset.id);
    if (!(await confirmAction(`Kill instance ${id}? Its jobs are killed and it ends KILLED.`, "Kill"))) return;
    const instance = await api.instance(id);
    for (const { job_id: jobId } of instance.job_submissions) {
      const job = await api.job(jobId);
      if (!FINAL_JOB.has(job.jobInfo?.status)) await api.killJob(jobId);
    }
    await api.setStatus(id, "KILLED");
    notice(`Instance ${id} killed.`);
    poll();
  },
  async clean(target) {
    const id = Number(target.dataset.id);
    if (!(await confirmAction(`Clean instance ${id}? It is removed from the database.`, "Clean"))) return;
    await api.clean(id);
    notice(`Instance ${id} cleaned.`);
    poll();
  },
  async info(target) {
    views.activated.openInfo(Number(target.dataset.id), state);
  },
  async log(target) {
    const id = Number(target.dataset.job);
    const text = await api.jobLog(id);
    const pre = document.createElement("pre");
    pre.className = "log";
    pre.textContent = text || "(empty log)";
    pre.tabIndex = 0;
    openDialog(`Log of job ${id}`, pre);
  },
  async page(target) {
    state.pages[target.dataset.tab] = Number(target.dataset.page);
    render(false);
  },
  async moreJobs() {
    state.jobsLimit += JOBS_PAGE;
    await poll();
  },
};

function created(instance) {
  notice(`Instance ${instance.instance_id} of ${instance.service_id} submitted: ${instance.instance_status}.`);
  poll();
}

function activationSubmit(workflow) {
  return async (values) => created(await api.create(workflow, values));
}

document.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-do]");
  if (!target || !handlers[target.dataset.do]) return;
  event.preventDefault();
  try {
    await handlers[target.dataset.do](target);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    notice(error.message, "error");
  }
});

document.addEventListener("DOMContentLoaded", async () => {
  installIconFallback();
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  window.addEventListener("hashchange", route);
  views.simulator.install?.({ notice, poll });
  if (session.id) {
    try {
      await whoAmI();
      await loadCatalog();
    } catch {
      session.clear();
    }
  }
  route();
});
