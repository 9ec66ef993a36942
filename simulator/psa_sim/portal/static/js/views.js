// The six tabs (and the administrators' simulator panel). Each view renders from the
// shared state; buttons carry data-do="…" and are handled in main.js. Lists are drawn
// as one HTML string per refresh, which keeps 1,000 instances cheap.

import { api, ApiError } from "./api.js";
import { lineChart, stackedBars } from "./charts.js";
import { confirmAction, openDialog } from "./dialog.js";
import { variablesForm } from "./forms.js";
import { el, esc, iconHtml, statusHtml, when } from "./util.js";

const FINAL = new Set(["FINISHED", "KILLED"]);
const isFinal = (instance) => FINAL.has(instance.instance_status);
const byNewest = (a, b) => b.instance_id - a.instance_id;
const nameOf = (instance) => instance.variables?.INSTANCE_NAME || "";

function serviceCell(instance) {
  return `<span class="svc">${iconHtml(instance.service_icon, instance.service_id)}${esc(instance.service_id)}</span>`;
}

function endpointsHtml(instance) {
  // A deployment with no URL (Docker_Swarm's, one per node) has nothing to link to.
  const links = instance.deployments.filter(({ endpoint }) => endpoint.proxyfiedUrl || endpoint.url)
    .map(({ endpoint }) => {
    const url = endpoint.proxyfiedUrl || endpoint.url;
    const note = endpoint.proxyfiedUrl ? ' <span class="muted">(proxyfied)</span>' : "";
    return `<a class="endpoint" href="${esc(url)}" target="_blank" rel="noopener" title="${esc(url)}"
      data-endpoint="${esc(endpoint.id)}">${esc(endpoint.id)}</a>${note}`;
  });
  return links.join("<br>") || '<span class="muted">none</span>';
}

function maskedVariables(instance, catalog) {
  const secrets = catalog.secretsOf(instance.service_id);
  const rows = Object.entries(instance.variables).map(([key, value]) =>
    `<tr><th scope="row">${esc(key)}</th><td>${secrets.has(key) && value ? "******" : esc(value)}</td></tr>`);
  return `<table class="kv"><tbody>${rows.join("")}</tbody></table>`;
}

// Long lists are paged: a page of rows lays out in a few milliseconds where a thousand
// rows take a browser hundreds (measured by benchmarks/portal_pages.py).
export const PAGE_SIZE = 50;

function page(list, state, tab) {
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  const current = Math.min(state.pages[tab] || 0, pages - 1);
  state.pages[tab] = current;
  const first = current * PAGE_SIZE;
  const shown = list.slice(first, first + PAGE_SIZE);
  const pager = list.length <= PAGE_SIZE ? "" : `<nav class="pager" aria-label="Pages">
    <button type="button" data-do="page" data-key="${tab}-prev" data-tab="${tab}" data-page="${current - 1}"
      ${current === 0 ? "disabled" : ""}>Previous</button>
    <span>${first + 1}–${first + shown.length} of ${list.length} (page ${current + 1} of ${pages})</span>
    <button type="button" data-do="page" data-key="${tab}-next" data-tab="${tab}" data-page="${current + 1}"
      ${current + 1 >= pages ? "disabled" : ""}>Next</button></nav>`;
  return { shown, pager };
}

function emptyRow(columns, text) {
  return `<tr><td colspan="${columns}" class="muted">${esc(text)}</td></tr>`;
}

// ------------------------------------------------------------------ Service Activation
const activation = {
  render(container, state, { first, submitActivation }) {
    const activations = state.catalog.activations;
    const picked = state.selected;
    const key = `${activations.length}|${picked?.name}`;
    if (!first && container.dataset.drawn === key) return; // nothing live here: keep the form
    container.dataset.drawn = key;
    const cards = activations.map((w) => `
      <li><button type="button" class="wf-card${picked === w ? " picked" : ""}" data-do="pick"
          data-key="pick-${esc(w.name)}" data-bucket="${esc(w.bucket)}" data-workflow="${esc(w.name)}"
          aria-pressed="${picked === w}">
        ${iconHtml(w.icon, w.name)}<span class="wf-text"><b>${esc(w.name)}</b>
        <small>${esc(w.project)}</small><span class="desc">${esc(w.description)}</span></span>
      </button></li>`).join("");
    container.innerHTML = `
      <div class="toolbar"><h2>Service Activation</h2>
        <button type="button" data-do="refreshCatalog" data-key="refresh">Refresh the catalog</button></div>
      <p class="muted">Workflows that activate a service instance (VOID as origin state).</p>
      <div class="split">
        <ul class="wf-list" aria-label="Activation workflows">${cards}</ul>
        <section class="wf-form card" aria-live="polite"></section>
      </div>`;
    const pane = container.querySelector(".wf-form");
    if (!picked) {
      pane.innerHTML = '<p class="muted">Pick a workflow to fill its variables and execute it.</p>';
      return;
    }
    pane.append(
      el("h3", {}, iconSpan(picked), picked.name),
      el("p", { class: "desc" }, picked.description),
      variablesForm(picked, { submitLabel: "Execute", submit: submitActivation(picked) }),
    );
  },
};

function iconSpan(workflow) {
  const span = document.createElement("span");
  span.innerHTML = iconHtml(workflow.icon, workflow.name);
  return span.firstElementChild;
}

// ------------------------------------------------------------------ Full Services View
const services = {
  render(container, state, { first }) {
    const key = String(state.catalog.workflows.length);
    if (!first && container.dataset.drawn === key) return;
    container.dataset.drawn = key;
    const sections = state.catalog.services.map(([serviceId, workflows]) => `
      <section class="service card"><h3>${iconHtml(workflows[0].icon, serviceId)}${esc(serviceId)}</h3>
      <div class="scroll"><table><thead><tr><th scope="col">Workflow</th><th scope="col">Transitions</th>
        <th scope="col">Description</th><th scope="col"><span class="sr">Submit</span></th></tr></thead><tbody>
      ${workflows.map((w) => `<tr><td>${esc(w.name)}</td>
        <td>${w.transitions.map((t) => `${esc(t.from)} → ${esc(t.to)}`).join("<br>")}</td>
        <td class="desc">${esc(w.description)}</td>
        <td>${w.isActivation ? `<button type="button" data-do="submit" data-key="submit-${esc(w.name)}"
            data-bucket="${esc(w.bucket)}" data-workflow="${esc(w.name)}">Submit</button>` : ""}</td></tr>`).join("")}
      </tbody></table></div></section>`).join("");
    container.innerHTML = `<div class="toolbar"><h2>Full Services View</h2>
      <button type="button" data-do="refreshCatalog" data-key="refresh">Refresh the catalog</button></div>
      <p class="muted">Every Service Automation workflow, by service. Only creation workflows are submitted from here;
      the others run on an instance, from Activated Services.</p>${sections}`;
  },
};

// ------------------------------------------------------------------ Service Jobs
const jobs = {
  render(container, state) {
    // the instances (newest first) with a job in the page listed, and those jobs
    const groups = [...state.instances].sort(byNewest)
      .map((instance) => [instance, instance.job_submissions.filter((s) => state.jobs.has(s.job_id))])
      .filter(([, submissions]) => submissions.length);
    const body = groups.map(([instance, submissions]) => {
      const rows = submissions.map((s) => {
        const info = state.jobs.get(s.job_id).jobInfo;
        return `<tr data-job="${s.job_id}"><td>${s.job_id}</td><td>${esc(info.jobId?.readableName || "")}</td>
          <td>${esc(s.transition_state)}</td><td>${statusHtml(info.status)}</td>
          <td>${when(info.submittedTime)}</td><td>${when(info.startTime)}</td><td>${when(info.finishedTime)}</td>
          <td><button type="button" data-do="log" data-key="log-${s.job_id}" data-job="${s.job_id}">Log</button></td></tr>`;
      }).join("");
      return `<section class="card jobs-group" data-instance="${instance.instance_id}">
        <h3>${serviceCell(instance)} · instance ${instance.instance_id} ${esc(nameOf(instance))} ${statusHtml(instance.instance_status)}</h3>
        <div class="scroll"><table><thead><tr><th scope="col">Job</th><th scope="col">Workflow</th><th scope="col">Transition</th>
        <th scope="col">Status</th><th scope="col">Submitted</th><th scope="col">Started</th><th scope="col">Finished</th>
        <th scope="col"><span class="sr">Log</span></th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
    }).join("");
    const left = state.jobsTotal - state.jobs.size;
    const more = left > 0
      ? `<button type="button" data-do="moreJobs" data-key="more-jobs">Show more (${left} older jobs not listed yet)</button>` : "";
    const empty = state.jobsText ? '<p class="muted">No job of a service instance yet.</p>' : '<p class="muted">Loading the jobs…</p>';
    container.innerHTML = `<h2>Service Jobs</h2>
      <p class="muted">Every job of the service instances, grouped by instance, newest first.</p>
      ${body || empty}${more}`;
  },
};

// ------------------------------------------------------------------ Activated Services
const activated = {
  render(container, state) {
    const list = state.instances.filter((i) => !isFinal(i)).sort(byNewest);
    const { shown, pager } = page(list, state, "activated");
    const rows = shown.map((instance) => {
      const id = instance.instance_id;
      const actions = state.catalog.actionsFor(instance).map(({ workflow, to }) =>
        `<button type="button" data-do="action" data-key="action-${id}-${esc(workflow.name)}" data-id="${id}"
          data-bucket="${esc(workflow.bucket)}" data-workflow="${esc(workflow.name)}" title="to ${esc(to)}">${esc(workflow.name)}</button>`).join(" ");
      return `<tr data-instance="${id}"><td>${id}</td><td>${serviceCell(instance)}</td><td>${esc(nameOf(instance))}</td>
        <td>${esc(instance.user_name)}</td><td class="state">${statusHtml(instance.instance_status)}</td>
        <td>${endpointsHtml(instance)}</td><td><div class="actions">${actions}
          <button type="button" class="danger" data-do="kill" data-key="kill-${id}" data-id="${id}">Kill</button>
          <button type="button" data-do="info" data-key="info-${id}" data-id="${id}">Details</button></div></td></tr>`;
    }).join("");
    container.innerHTML = `<h2>Activated Services</h2>
      <p class="muted">Instances not FINISHED or KILLED. While a transition runs (FROM -> TO) only the kill is offered.</p>
      <div class="scroll"><table class="instances"><thead><tr><th scope="col">Id</th><th scope="col">Service</th>
      <th scope="col">Instance name</th><th scope="col">Owner</th><th scope="col">State</th><th scope="col">Endpoints</th>
      <th scope="col">Actions</th></tr></thead>
      <tbody>${rows || emptyRow(7, "No activated instance.")}</tbody></table></div>${pager}`;
  },

  openInfo(id, state) {
    const body = document.createElement("div");
    const draw = (current) => {
      const instance = current.instances.find((i) => i.instance_id === id);
      if (!instance) {
        body.innerHTML = '<p class="muted">This instance is gone (cleaned).</p>';
        return;
      }
      const deployments = instance.deployments.map((d) => `<tr><td>${esc(d.endpoint.id)}</td>
        <td>${esc(d.node?.name)}</td><td>${esc(d.node?.host)}</td><td>${esc(d.container?.name)}</td>
        <td>${esc(d.endpoint.url)}</td><td>${esc(d.endpoint.proxyfiedUrl || "")}</td></tr>`).join("");
      const history = instance.job_submissions.map((s) => `<tr><td>${s.job_id}</td><td>${esc(s.transition_state)}</td>
        <td>${when(s.submission_time)}</td><td>${s.parent_job_id ?? ""}</td></tr>`).join("");
      body.innerHTML = `<p>${serviceCell(instance)} ${statusHtml(instance.instance_status)} owner ${esc(instance.user_name)},
        created ${when(instance.creation_time)}${instance.finish_time ? `, finished ${when(instance.finish_time)}` : ""}</p>
        <h3>Endpoints</h3><p>${endpointsHtml(instance)}</p>
        <h3>Deployments</h3><div class="scroll"><table><thead><tr><th scope="col">Endpoint</th><th scope="col">Node</th><th scope="col">Host</th>
        <th scope="col">Container</th><th scope="col">URL</th><th scope="col">Proxyfied URL</th></tr></thead>
        <tbody>${deployments || emptyRow(6, "No deployment.")}</tbody></table></div>
        <h3>Job history</h3><div class="scroll"><table><thead><tr><th scope="col">Job</th><th scope="col">Transition</th>
        <th scope="col">Submitted</th><th scope="col">Parent job</th></tr></thead><tbody>${history}</tbody></table></div>
        <h3>Variables</h3>${maskedVariables(instance, current.catalog)}`;
    };
    draw(state);
    openDialog(`Instance ${id}`, body, draw);
  },
};

// ------------------------------------------------------------------ Finished Services
const finished = {
  render(container, state) {
    const list = state.instances.filter(isFinal).sort(byNewest);
    const { shown, pager } = page(list, state, "finished");
    const rows = shown.map((instance) => {
      const id = instance.instance_id;
      return `<tr data-instance="${id}"><td>${id}</td><td>${serviceCell(instance)}</td><td>${esc(nameOf(instance))}</td>
        <td>${esc(instance.user_name)}</td><td>${statusHtml(instance.instance_status)}</td><td>${when(instance.finish_time)}</td>
        <td><details><summary data-key="vars-${id}">Variables</summary>${maskedVariables(instance, state.catalog)}</details></td>
        <td><button type="button" class="danger" data-do="clean" data-key="clean-${id}" data-id="${id}">Clean</button></td></tr>`;
    }).join("");
    const open = new Set([...container.querySelectorAll("details[open]")].map((d) => d.closest("tr").dataset.instance));
    container.innerHTML = `<h2>Finished Services</h2>
      <p class="muted">FINISHED and KILLED instances. CLEAN removes one from the database.</p>
      <div class="scroll"><table class="instances"><thead><tr><th scope="col">Id</th><th scope="col">Service</th>
      <th scope="col">Instance name</th><th scope="col">Owner</th><th scope="col">State</th><th scope="col">Finished</th>
      <th scope="col">Final variables</th><th scope="col"><span class="sr">Clean</span></th></tr></thead>
      <tbody>${rows || emptyRow(8, "No finished instance.")}</tbody></table></div>${pager}`;
    for (const id of open) container.querySelector(`tr[data-instance="${id}"] details`)?.setAttribute("open", "");
  },
};

// ------------------------------------------------------------------ Monitoring
const STATE_COLOURS = {
  RUNNING: "#2e7d32", TRANSITIONING: "#f9a825", PAUSED: "#6d4c41", ERROR: "#c62828",
  FINISHED: "#546e7a", KILLED: "#37474f",
};

const monitoring = {
  render(container, state) {
    const history = state.history;
    const statuses = [...new Set(history.flatMap((p) => Object.keys(p.byStatus)))].sort();
    const byState = lineChart({
      title: "Instances per state",
      points: history,
      series: statuses.map((s) => ({ name: s, colour: STATE_COLOURS[s], value: (p) => p.byStatus[s] || 0 })),
    });
    const last = history[history.length - 1];
    let nodes = '<p class="muted">Node figures come from /sim-api/metrics, open to administrators.</p>';
    let queued = "";
    if (state.admin && last?.nodes) {
      nodes = stackedBars({
        title: "Nodes",
        bars: [["busy", "#1565c0"], ["holding tokens", "#8e24aa"], ["free", "#43a047"], ["down", "#c62828"]]
          .map(([name, colour]) => ({ name, colour, value: last.nodes[name === "holding tokens" ? "tokens" : name] })),
      });
      queued = lineChart({
        title: "Queued jobs",
        points: history,
        series: [{ name: "queued", colour: "#ef6c00", value: (p) => p.queued ?? 0 }],
      });
    }
    const counts = Object.entries(last?.byStatus || {}).map(([s, n]) => `<li>${statusHtml(s)} ${n}</li>`).join("");
    container.innerHTML = `<h2>Monitoring</h2>
      <p class="muted">Sampled every second while this page is open${state.clock ? ", on simulated time" : ""}.</p>
      <ul class="counts" aria-label="Instances per state now">${counts || "<li>no instance</li>"}</ul>
      <div class="charts"><figure class="card">${byState}</figure>
      <figure class="card">${nodes}</figure>${queued ? `<figure class="card">${queued}</figure>` : ""}</div>`;
  },
};

// ------------------------------------------------------------------ Simulator (administrators)
let context = { notice: () => {}, poll: () => {} };

const simulator = {
  install(ctx) { context = ctx; },
  render(container, state, { first }) {
    const running = state.instances.filter((i) => !isFinal(i)).sort(byNewest);
    const nodes = state.metrics?.nodes || [];
    const key = `${running.map((i) => i.instance_id).join(",")}|${nodes.map((n) => n.name + n.up).join(",")}|${state.clock?.mode}`;
    if (!first && container.dataset.drawn === key) return; // keep what is being typed
    container.dataset.drawn = key;
    const options = (items) => items.join("");
    container.innerHTML = `<h2>Simulator</h2>
      <p class="muted">psa-sim's own routes (/sim-api), for administrators: not part of ProActive.</p>
      <div class="sim-grid">
      <form class="card" data-sim="clock"><h3>Clock</h3>
        <label for="sim-mode">Mode</label><select id="sim-mode" name="mode">
        ${["instant", "realtime", "manual"].map((m) => `<option${state.clock?.mode === m ? " selected" : ""}>${m}</option>`).join("")}</select>
        <label for="sim-speed">Speed (simulated seconds per wall second)</label>
        <input id="sim-speed" name="speed" type="number" step="any" min="0" value="${esc(state.clock?.speed ?? "")}">
        <button type="submit">Apply</button></form>
      <form class="card" data-sim="advance"><h3>Advance</h3>
        <label for="sim-seconds">Simulated seconds</label><input id="sim-seconds" name="seconds" type="number" step="any" value="3600">
        <button type="submit">Advance</button></form>
      <form class="card" data-sim="crash"><h3>Container crash</h3>
        <label for="sim-instance">Instance</label><select id="sim-instance" name="instance">
        ${options(running.map((i) => `<option value="${i.instance_id}">${i.instance_id} ${esc(i.service_id)} ${esc(nameOf(i))}</option>`))}</select>
        <button type="submit" class="danger">Crash</button></form>
      <form class="card" data-sim="node"><h3>Node failure</h3>
        <label for="sim-node">Node</label><select id="sim-node" name="node">
        ${options(nodes.map((n) => `<option value="${esc(n.name)}">${esc(n.name)} ${n.up ? "" : "(down)"}</option>`))}</select>
        <label for="sim-repair">Repair after (simulated seconds, empty: never)</label>
        <input id="sim-repair" name="repair" type="number" step="any" min="0" value="600">
        <button type="submit" class="danger" name="fail">Fail the node</button>
        <button type="button" data-sim-repair>Repair it</button></form>
      <form class="card" data-sim="reset"><h3>Reset</h3><p>Forget every instance, job and token.</p>
        <button type="submit" class="danger">Reset the simulation</button></form>
      </div>`;
    for (const form of container.querySelectorAll("form[data-sim]")) {
      form.addEventListener("submit", (event) => { event.preventDefault(); simAction(form.dataset.sim, form); });
    }
    container.querySelector("[data-sim-repair]").addEventListener("click", (event) =>
      simAction("repair", event.target.form));
  },
};

async function simAction(kind, form) {
  const value = (name) => form.elements[name]?.value ?? "";
  const number = (name) => (value(name) === "" ? null : Number(value(name)));
  try {
    if (kind === "clock") {
      const clock = await api.setClock(value("mode"), number("speed"));
      context.notice(`Clock: ${clock.mode}${clock.speed ? `, speed ${clock.speed}` : ""}.`);
    } else if (kind === "advance") {
      const time = await api.advance(number("seconds"));
      context.notice(`Simulated time now ${when(time.now_ms)}.`);
    } else if (kind === "crash") {
      await api.crash(Number(value("instance")));
      context.notice(`Container of instance ${value("instance")} crashed; its loop sees it at the next check.`);
    } else if (kind === "node") {
      await api.failNode(value("node"), number("repair"));
      context.notice(`Node ${value("node")} failed.`);
    } else if (kind === "repair") {
      await api.repairNode(value("node"));
      context.notice(`Node ${value("node")} repaired.`);
    } else if (kind === "reset") {
      if (!(await confirmAction("Reset the simulation? Every instance, job and token is forgotten.", "Reset"))) return;
      await api.reset();
      context.notice("Simulation reset.");
    }
    context.poll();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    context.notice(error.message, "error");
  }
}

export const views = { activation, services, jobs, activated, finished, monitoring, simulator };
