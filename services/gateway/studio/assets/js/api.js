// The public API under /api/v1, as the studio uses it: the session's tokens, refresh on 401, one error type.

const API = "/api/v1";
const SESSION_KEY = "reelforge.session";

/** An API answer that was not 2xx: `detail` is a sentence, `errors` the fields it blames ({field, message}). */
export class ApiError extends Error {
  constructor(status, detail, errors = []) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.errors = errors;
  }
}

let session = load();
const listeners = new Set();

function load() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY)) || null;
  } catch {
    return null;
  }
}

function save(next) {
  session = next;
  if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else localStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener(session);
}

export const signedIn = () => session !== null;
export const accessToken = () => session?.access_token ?? null;
export const onSessionChange = (listener) => listeners.add(listener);

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy's page, say
  }
  const detail = typeof body?.detail === "string" ? body.detail : `${response.status} ${response.statusText}`;
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  return new ApiError(response.status, detail, errors);
}

let refreshing = null;

/** Swap the refresh token for a new pair (once at a time); false when the login is over. */
export async function refresh() {
  if (!session?.refresh_token) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${API}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
      if (!response.ok) {
        save(null);
        return false;
      }
      save(await response.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/**
 * One request to the API; JSON bodies are sent as JSON, FormData as multipart. Answers the parsed JSON
 * (null for 204), or a Blob with `{blob: true}`; throws ApiError. A 401 refreshes the tokens once and retries.
 * `headers` adds request headers (an `Idempotency-Key`).
 */
export async function call(method, path, { body, blob = false, auth = true, retry = true, headers: extra = {} } = {}) {
  const headers = { ...extra };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (auth && session) headers.Authorization = `Bearer ${session.access_token}`;
  let response;
  try {
    response = await fetch(`${API}${path}`, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, "The server cannot be reached: check your connection and try again");
  }
  if (response.status === 401 && auth && retry && (await refresh())) {
    return call(method, path, { body, blob, auth, retry: false, headers: extra });
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && auth) save(null);
    throw error;
  }
  if (blob) return response.blob();
  if (response.status === 204) return null;
  return response.json();
}

export async function signIn(login, password) {
  save(await call("POST", "/auth/login", { body: { login, password }, auth: false }));
}

export async function register(email, username, password) {
  await call("POST", "/auth/register", { body: { email, username, password }, auth: false });
  await signIn(username, password);
}

export async function signOut() {
  const refreshToken = session?.refresh_token;
  save(null);
  if (refreshToken) {
    try {
      await call("POST", "/auth/logout", { body: { refresh_token: refreshToken }, auth: false });
    } catch {
      // the tokens are forgotten here either way
    }
  }
}

/** The WebSocket URL of a job's progress (the token goes in the first message, never in the URL). */
export function eventsUrl(jobId) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${API}/jobs/${jobId}/events`;
}
