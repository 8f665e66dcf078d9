// A job's live progress over WS /api/v1/jobs/{id}/events, reconnecting when the socket drops.
//
// The token goes in the first message, never in the URL. The server replays the job's history on every
// connection, so after a reconnect the events already seen (by `seq`) are skipped; before reconnecting the
// job is read again (GET /jobs/{id}) so the page resumes from its current state even if the stream lags.

import { accessToken, call, eventsUrl, refresh } from "./api.js";

const FINAL = new Set(["completed", "moderation_failed", "failed", "cancelled"]);
const PING_EVERY_MS = 25000;
const MAX_BACKOFF_MS = 10000;

export const isFinal = (status) => FINAL.has(status);

export class JobStream {
  /**
   * @param {string} jobId
   * @param {{onEvent: Function, onJob: Function, onConnection: Function}} handlers
   *   onEvent(message) for each new event, onJob(job) after a resume read, onConnection(state, detail) with
   *   state "live", "reconnecting", "ended" or "lost".
   */
  constructor(jobId, handlers) {
    this.jobId = jobId;
    this.handlers = handlers;
    this.lastSeq = 0;
    this.finished = false;
    this.stopped = false;
    this.attempt = 0;
    this.socket = null;
    this.pinger = null;
    this.timer = null;
  }

  start() {
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
  }

  connect() {
    if (this.stopped || this.finished) return;
    const socket = new WebSocket(eventsUrl(this.jobId));
    this.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ token: accessToken() }));
      this.pinger = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send("ping"), PING_EVERY_MS);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "pong" || typeof message.seq !== "number") return;
      this.attempt = 0;
      this.handlers.onConnection("live");
      if (message.seq <= this.lastSeq) return; // replayed after a reconnect: seen already
      this.lastSeq = message.seq;
      if (isFinal(message.status)) this.finished = true;
      this.handlers.onEvent(message);
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.pinger);
      if (this.socket !== socket || this.stopped) return;
      if (this.finished) {
        this.handlers.onConnection("ended");
        return;
      }
      this.reconnect(event.code);
    });
  }

  async reconnect(code) {
    if (code === 4404) {
      this.handlers.onConnection("lost", "This video no longer exists");
      return;
    }
    if (code === 4401 && !(await refresh())) {
      this.handlers.onConnection("lost", "Your session has ended: sign in again");
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    this.attempt += 1;
    this.handlers.onConnection("reconnecting", delay);
    this.timer = setTimeout(async () => {
      if (this.stopped) return;
      try {
        const job = await call("GET", `/jobs/${this.jobId}`);
        if (this.stopped) return;
        this.handlers.onJob(job);
        if (isFinal(job.status)) {
          this.finished = true;
          this.handlers.onConnection("ended");
          return;
        }
      } catch (error) {
        if (error.status === 404 || error.status === 401) {
          this.handlers.onConnection("lost", error.detail);
          return;
        }
        // the server is unreachable for now: try the socket again after the next delay
      }
      this.connect();
    }, delay);
  }
}
