// One job: progress per stage (WebSocket), scene pictures as they are painted, the video (a signed URL, since a
// <video> cannot send the Authorization header), download and share, regenerate one scene, cancel, delete.

import { call } from "../api.js";
import { $, copyText, h, toast } from "../dom.js";
import { isFinal, JobStream } from "../progress.js";

const STAGES = [
  { name: "story", label: "Story", band: [0, 20] },
  { name: "images", label: "Pictures", band: [20, 60] },
  { name: "audio", label: "Narration", band: [20, 60] },
  { name: "render", label: "Render", band: [60, 100] },
];
const SCENES_EVERY_MS = 1500;
const REGENERATION_POLL_MS = 1000;
const SHARE_LINK_TTL_S = 7 * 24 * 3600;

let jobId = null;
let job = null;
let stream = null;
let stages = {};
let blobUrls = [];
let sceneTimer = null;
let sceneVersions = new Map();
let regenerationTimer = null;
let shareUrl = null;

const STATUS_TEXT = {
  pending: "Waiting",
  queued: "Queued",
  moderating: "Checking the request",
  processing: "Working",
  completed: "Ready",
  moderation_failed: "Refused by moderation",
  failed: "Failed",
  cancelled: "Cancelled",
};

function freshStages() {
  return Object.fromEntries(STAGES.map(({ name }) => [name, { fraction: 0, state: "waiting", message: "" }]));
}

/** A stage's own completion from its message ("Painted scene 2 of 3", "Rendering video: 40%") or its band. */
function stageFraction(stage, message, progress) {
  const scenes = /scene (\d+) of (\d+)/.exec(message ?? "");
  if (scenes) return Number(scenes[1]) / Number(scenes[2]);
  const percent = /(\d+)%/.exec(message ?? "");
  if (percent && stage === "render") return Number(percent[1]) / 100;
  const band = STAGES.find(({ name }) => name === stage)?.band;
  if (!band) return 0;
  return Math.min(1, Math.max(0, (progress - band[0]) / (band[1] - band[0])));
}

function applyEvent(message) {
  const { stage, status } = message;
  if (status === "completed") {
    for (const name of Object.keys(stages)) stages[name] = { ...stages[name], fraction: 1, state: "done" };
    return;
  }
  if (!stage || !stages[stage]) return;
  const order = STAGES.findIndex(({ name }) => name === stage);
  for (const [index, { name }] of STAGES.entries()) {
    // a later stage has started, so the ones before it (images and audio run side by side) are done
    if (index < order && !(stage === "audio" && name === "images") && !(stage === "images" && name === "audio")) {
      stages[name] = { ...stages[name], fraction: 1, state: "done" };
    }
  }
  const entry = stages[stage];
  const fraction = Math.max(entry.fraction, stageFraction(stage, message.message, message.progress));
  const failed = status === "failed" || status === "moderation_failed";
  stages[stage] = {
    fraction,
    state: failed ? "failed" : fraction >= 1 ? "done" : "active",
    message: message.message ?? "",
  };
}

function renderStages() {
  const list = $("#stages");
  list.replaceChildren(
    ...STAGES.map(({ name, label }) => {
      const { fraction, state, message } = stages[name];
      const percent = Math.round(fraction * 100);
      const fill = h("span", { class: "progress-fill" });
      fill.style.width = `${percent}%`; // CSSOM, not a style attribute: the CSP allows no inline styles
      return h(
        "li",
        { class: `stage ${state}`, dataset: { stage: name } },
        h("span", { class: "stage-name" }, label),
        h(
          "span",
          {
            class: "mini progress",
            role: "progressbar",
            "aria-label": `${label} progress`,
            "aria-valuemin": 0,
            "aria-valuemax": 100,
            "aria-valuenow": percent,
          },
          fill,
        ),
        h("span", { class: "stage-state" }, state === "done" ? "done" : state === "active" ? message : state),
      );
    }),
  );
}

function renderProgress(progress, message) {
  const bar = $("#progress-card .progress");
  const shown = Math.max(Number(bar.getAttribute("aria-valuenow")) || 0, progress);
  bar.setAttribute("aria-valuenow", String(shown));
  $(".progress-fill", bar).style.width = `${shown}%`;
  $("#progress-percent").textContent = `${shown} %`;
  $("#progress-message").textContent = message ?? "";
}

function renderJob(next) {
  job = next;
  $("#job-title").textContent = job.title || job.input.topic_text || job.input.prompt || job.input.topic || "Video";
  document.title = `${$("#job-title").textContent} · Reelforge studio`;
  const status = $("#job-status");
  status.textContent = STATUS_TEXT[job.status] ?? job.status;
  status.dataset.status = job.status;
  renderProgress(job.progress, job.message);
  $("#job-error").textContent = job.error ? job.error : "";
  $("#job-cancel").hidden = isFinal(job.status);
  if (job.warnings?.length) $("#progress-message").textContent += ` (${job.warnings.join(" ")})`;
  if (job.status === "completed") {
    applyEvent({ status: "completed" });
  } else if (job.stage) {
    applyEvent({ stage: job.stage, status: job.status, progress: job.progress, message: job.message });
  }
  renderStages();
}

async function loadResult() {
  if (job?.status !== "completed" || !job.output) return;
  const { url } = await call("POST", `/jobs/${jobId}/signed-url`, { body: { file: "video" } });
  const player = $("#player");
  if (player.dataset.version !== String(job.output.version)) {
    player.dataset.version = String(job.output.version);
    player.src = url;
  }
  $("#download").href = url;
  $("#download").setAttribute("download", `reelforge-${jobId}-v${job.output.version}.mp4`);
  $("#output-version").textContent = `Version ${job.output.version} · ${job.output.width}x${job.output.height} · ${job.output.duration_s.toFixed(1)} s`;
  shareUrl = null;
  $("#share-link").hidden = true;
  $("#result").hidden = false;
}

async function sceneImage(scene) {
  const version = scene.image.version;
  const known = sceneVersions.get(scene.index);
  if (known?.version === version) return known.url;
  const blob = await call("GET", `/jobs/${jobId}/scenes/${scene.index}/image?version=${version}`, { blob: true });
  const url = URL.createObjectURL(blob);
  blobUrls.push(url);
  sceneVersions.set(scene.index, { version, url, kind: blob.type });
  return url;
}

function sceneCard(scene, url) {
  const picture = !scene.image
    ? h("div", { class: "thumb placeholder" }, "Painting…")
    : sceneVersions.get(scene.index)?.kind === "video/mp4"
      ? h("video", { class: "thumb", src: url, muted: true, loop: true, playsinline: true, autoplay: true })
      : h("img", { class: "thumb", src: url, alt: scene.image_prompt, loading: "lazy" });
  const prompt = h("input", {
    name: "prompt",
    placeholder: "New picture prompt (optional)",
    "aria-label": `New prompt for scene ${scene.index + 1}`,
  });
  const button = h(
    "button",
    {
      type: "button",
      class: "regenerate",
      disabled: scene.regenerating || job?.status !== "completed" || !scene.image,
      onclick: () => regenerate(scene.index, prompt.value.trim(), button),
    },
    scene.regenerating ? "Repainting…" : "Regenerate picture",
  );
  const credit = scene.image?.credit ? h("p", { class: "hint" }, scene.image.credit) : null;
  return h(
    "li",
    { class: "scene", dataset: { index: scene.index, version: scene.image?.version ?? 0 } },
    picture,
    h(
      "div",
      { class: "scene-body" },
      h("p", { class: "scene-meta" }, `Scene ${scene.index + 1}`, scene.image ? ` · v${scene.image.version}` : ""),
      h("p", { class: "narration" }, scene.narration),
      credit,
      h("div", { class: "regen" }, prompt, button),
    ),
  );
}

async function loadScenes() {
  if (!jobId) return;
  const current = jobId;
  const { scenes } = await call("GET", `/jobs/${jobId}/scenes`);
  if (current !== jobId) return;
  const cards = [];
  for (const scene of scenes) {
    const url = scene.image ? await sceneImage(scene) : null;
    cards.push(sceneCard(scene, url));
  }
  if (current !== jobId) return;
  $("#scenes").replaceChildren(...cards);
  $("#scenes-empty").hidden = scenes.length > 0;
  return scenes;
}

function scenesSoon() {
  if (sceneTimer) return;
  sceneTimer = setTimeout(async () => {
    sceneTimer = null;
    try {
      await loadScenes();
    } catch {
      // shown again on the next event
    }
  }, SCENES_EVERY_MS);
}

async function regenerate(index, prompt, button) {
  button.disabled = true;
  button.textContent = "Repainting…";
  const before = job.output?.version ?? 0;
  try {
    await call("POST", `/jobs/${jobId}/scenes/${index}/regenerate`, { body: prompt ? { prompt } : {} });
  } catch (error) {
    toast(error.detail, true);
    button.disabled = false;
    button.textContent = "Regenerate picture";
    return;
  }
  toast(`Scene ${index + 1} is being repainted; the video is rendered again`);
  $("#output-version").textContent = "Rendering a new version…";
  waitForVersion(before);
}

/** After a regeneration: poll until the job's output.version passes `before`, then show the new video. */
function waitForVersion(before) {
  clearTimeout(regenerationTimer);
  const current = jobId;
  const poll = async () => {
    if (current !== jobId) return;
    try {
      const next = await call("GET", `/jobs/${jobId}`);
      if (current !== jobId) return;
      await loadScenes();
      if ((next.output?.version ?? 0) > before) {
        renderJob(next);
        await loadResult();
        toast(`Version ${next.output.version} is ready`);
        return;
      }
    } catch {
      // try again
    }
    regenerationTimer = setTimeout(poll, REGENERATION_POLL_MS);
  };
  regenerationTimer = setTimeout(poll, REGENERATION_POLL_MS);
}

function onEvent(message) {
  applyEvent(message);
  renderStages();
  renderProgress(message.progress, message.message);
  const status = $("#job-status");
  status.textContent = STATUS_TEXT[message.status] ?? message.status;
  status.dataset.status = message.status;
  if (message.stage === "images" || message.stage === "story") scenesSoon();
  if (isFinal(message.status)) finish();
  else if (!job?.title && message.stage && message.stage !== "story") retitle();
}

let retitling = false;

/** The story has been written: read the job once more for its title (events carry no title). */
async function retitle() {
  if (retitling) return;
  retitling = true;
  try {
    const next = await call("GET", `/jobs/${jobId}`);
    if (next.id === jobId && !isFinal(next.status)) {
      job = next;
      $("#job-title").textContent = next.title || $("#job-title").textContent;
    }
  } catch {
    // the title waits for the end
  }
}

async function finish() {
  try {
    renderJob(await call("GET", `/jobs/${jobId}`));
    await loadResult();
    await loadScenes();
  } catch (error) {
    toast(error.detail, true);
  }
}

function onConnection(state, detail) {
  const line = $("#connection");
  if (state === "reconnecting") {
    line.textContent = `Connection lost; reconnecting in ${Math.ceil(detail / 1000)} s…`;
    line.hidden = false;
  } else if (state === "lost") {
    line.textContent = detail;
    line.hidden = false;
  } else line.hidden = true;
}

function onResumed(next) {
  renderJob(next);
  scenesSoon();
  if (isFinal(next.status)) finish();
}

async function shareLink() {
  if (!shareUrl) {
    const answer = await call("POST", `/jobs/${jobId}/signed-url`, {
      body: { file: "video", expires_in: SHARE_LINK_TTL_S },
    });
    shareUrl = answer.url;
  }
  const field = $("#share-link");
  field.value = shareUrl;
  field.hidden = false;
  await copyText(shareUrl);
  toast("Link copied: it works without signing in for 7 days");
}

export function setup() {
  $("#copy-link").addEventListener("click", () => shareLink().catch((error) => toast(error.detail, true)));
  $("#job-cancel").addEventListener("click", async () => {
    try {
      renderJob(await call("POST", `/jobs/${jobId}/cancel`));
    } catch (error) {
      toast(error.detail, true);
    }
  });
  $("#job-delete").addEventListener("click", async () => {
    if (!confirm("Delete this video and its files?")) return;
    try {
      await call("DELETE", `/jobs/${jobId}`);
      toast("Deleted");
      location.hash = "#/library";
    } catch (error) {
      toast(error.detail, true);
    }
  });
}

export async function enter(id) {
  jobId = id;
  retitling = false;
  stages = freshStages();
  sceneVersions = new Map();
  $("#result").hidden = true;
  $("#player").removeAttribute("src");
  delete $("#player").dataset.version;
  $("#scenes").replaceChildren();
  $("#scenes-empty").hidden = false;
  $("#connection").hidden = true;
  $("#progress-card .progress").setAttribute("aria-valuenow", "0");
  try {
    renderJob(await call("GET", `/jobs/${id}`));
  } catch (error) {
    $("#job-title").textContent = "Video not found";
    $("#job-error").textContent = error.detail;
    return;
  }
  const scenes = loadScenes().catch(() => []);
  if (isFinal(job.status)) {
    await loadResult().catch((error) => toast(error.detail, true));
    if ((await scenes)?.some((scene) => scene.regenerating)) waitForVersion(job.output?.version ?? 0);
  } else {
    stream = new JobStream(id, { onEvent, onJob: onResumed, onConnection }).start();
  }
}

export function leave() {
  stream?.stop();
  stream = null;
  clearTimeout(sceneTimer);
  sceneTimer = null;
  clearTimeout(regenerationTimer);
  const player = $("#player");
  player.pause();
  player.removeAttribute("src");
  player.load();
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  jobId = null;
  job = null;
}
