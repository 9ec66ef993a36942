// The REST API, called exactly as any other client calls it: the session id from
// POST /rest/common/login travels in the `sessionid` header; errors are the server's
// {"httpErrorCode", "errorMessage"} bodies, surfaced unchanged.

const SESSION_KEY = "psa-sim.sessionid";
const USER_KEY = "psa-sim.user";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = {
  get id() { return sessionStorage.getItem(SESSION_KEY); },
  get user() { return sessionStorage.getItem(USER_KEY) || ""; },
  save(id, user) {
    sessionStorage.setItem(SESSION_KEY, id);
    sessionStorage.setItem(USER_KEY, user);
  },
  clear() {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

// Called when the server answers 401 (expired or unknown session).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

async function call(method, path, { json, form, raw = false } = {}) {
  const headers = {};
  if (session.id) headers.sessionid = session.id;
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, `the server did not answer (${error.message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try { message = JSON.parse(text).errorMessage || text; } catch { /* not JSON */ }
    if (response.status === 401 && path !== "/rest/common/login") onUnauthorized();
    throw new ApiError(response.status, message || `HTTP ${response.status}`);
  }
  if (raw) return text;
  return text ? JSON.parse(text) : null;
}

const PSA = "/cloud-automation-service/serviceInstances";
const BUCKET = "service-automation";

export const api = {
  login: (username, password) =>
    call("POST", "/rest/common/login", { form: { username, password }, raw: true }),
  logout: () => call("PUT", "/rest/common/logout", { raw: true }),
  // the PSA service
  instances: () => call("GET", PSA),
  instancesText: () => call("GET", PSA, { raw: true }),
  instance: (id) => call("GET", `${PSA}/${id}`),
  create: (workflow, variables) =>
    call("POST", PSA, { json: { bucket_name: workflow.bucket, workflow_name: workflow.name, variables } }),
  action: (id, workflow, variables) =>
    call("PUT", `${PSA}/${id}/action`, {
      json: { bucket_name: workflow.bucket, workflow_name: workflow.name, variables },
    }),
  setStatus: (id, status) => call("PUT", `${PSA}/${id}`, { json: { instance_status: status } }),
  clean: (id) => call("DELETE", `${PSA}/${id}`),
  // the catalog
  workflows: (bucket = BUCKET) =>
    call("GET", `/catalog/buckets/${encodeURIComponent(bucket)}/resources?kind=workflow/psa`),
  // the scheduler
  job: (id) => call("GET", `/rest/scheduler/jobs/${id}`),
  jobsPageText: (index, limit) =>
    call("GET", `/rest/scheduler/revisionjobsinfo?index=${index}&limit=${limit}`, { raw: true }),
  jobLog: (id) => call("GET", `/rest/scheduler/jobs/${id}/log/full`, { raw: true }),
  killJob: (id) => call("PUT", `/rest/scheduler/jobs/${id}/kill`, { raw: true }),
  // the simulator's own routes (administrators)
  clock: () => call("GET", "/sim-api/clock"),
  setClock: (mode, speed) => call("PUT", "/sim-api/clock", { json: { mode, speed } }),
  advance: (seconds) => call("POST", "/sim-api/advance", { json: { seconds } }),
  crash: (instanceId) => call("POST", "/sim-api/faults/crash", { json: { instance_id: instanceId } }),
  failNode: (node, repairAfter) =>
    call("POST", "/sim-api/faults/node-failure", { json: { node, repair_after: repairAfter } }),
  repairNode: (node) => call("POST", "/sim-api/faults/node-repair", { json: { node } }),
  reset: () => call("POST", "/sim-api/reset"),
  metrics: () => call("GET", "/sim-api/metrics"),
};
