// A new video: the POST /jobs body from the form, a live estimate (POST /jobs/estimate-cost, debounced),
// an optional reference image (POST /uploads), the picture models from GET /models.

import { ApiError, call } from "../api.js";
import { $, $$, clearErrors, debounce, h, showErrors } from "../dom.js";

const ESTIMATE_AFTER_MS = 350;
let form;
let uploadId = null;
let previewUrl = null;
let estimateSeq = 0;
let modelsLoaded = false;
let idempotencyKey = null;

function randomKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const source = () => form.elements.source.value;

/** The body of POST /jobs, exactly as the form says; empty optional fields are left out. */
export function jobBody() {
  const value = (name) => form.elements[name].value.trim();
  const checked = (name) => form.elements[name].checked;
  const body = {};
  const kind = source();
  if (kind === "topic") {
    body.topic = value("topic");
    if (body.topic === "custom topic") body.topic_text = value("topic_text") || null;
  } else if (kind === "prompt") body.prompt = value("prompt") || null;
  else if (kind === "script") body.script = form.elements.script.value;
  if (uploadId) body.upload_id = uploadId;
  const preset = value("duration_preset");
  if (preset === "seconds") body.duration = Number(value("duration_seconds"));
  else if (preset) body.duration = preset;
  for (const name of ["art_style", "language", "voice", "resolution", "quality", "caption_style", "transition"]) {
    body[name] = value(name);
  }
  body.fps = Number(value("fps"));
  for (const name of ["subtitles", "include_voice", "include_music", "motion"]) body[name] = checked(name);
  if (value("mood")) body.mood = value("mood");
  if (value("model_id")) body.model_id = value("model_id");
  if (value("genre")) body.genre = value("genre");
  if (value("num_scenes")) body.num_scenes = Number(value("num_scenes"));
  return body;
}

function money(amount) {
  return amount === 0 ? "free" : `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

async function estimate() {
  const seq = ++estimateSeq;
  const cost = $("#cost");
  try {
    const answer = await call("POST", "/jobs/estimate-cost", { body: jobBody() });
    if (seq !== estimateSeq) return;
    clearErrors(form);
    cost.textContent = money(answer.estimated_cost);
    const parts = Object.entries(answer.breakdown)
      .filter(([name, amount]) => name !== "total" && amount > 0)
      .map(([name, amount]) => `${name} ${money(amount)}`);
    cost.title = parts.length ? parts.join(", ") : "Offline providers cost nothing";
  } catch (error) {
    if (seq !== estimateSeq || !(error instanceof ApiError)) return;
    cost.textContent = "—";
    cost.title = error.detail;
    // while typing, only the fields the API blames are marked; the form-wide sentence waits for "Create"
    if (error.errors.some(({ field }) => $(`[data-error-for="${CSS.escape(String(field).split(".")[0])}"]`, form))) {
      showErrors(form, { ...error, errors: error.errors.filter(({ field }) => field && field !== "body") });
    }
  }
}

const estimateSoon = debounce(estimate, ESTIMATE_AFTER_MS);

function syncVisibility() {
  const kind = source();
  for (const block of $$("[data-source]", form)) block.hidden = block.dataset.source !== kind;
  $("[data-when-topic]", form).hidden = form.elements.topic.value !== "custom topic";
  form.elements.duration_seconds.hidden = form.elements.duration_preset.value !== "seconds";
}

function syncFormat(changed) {
  const format = form.elements.format;
  const resolution = form.elements.resolution;
  if (changed === "format") {
    if (format.value === "custom") resolution.focus();
    else resolution.value = format.value;
  } else {
    const known = [...format.options].some((option) => option.value === resolution.value.trim());
    format.value = known ? resolution.value.trim() : "custom";
  }
}

async function upload(file) {
  const slot = "file";
  clearErrors($(".source", form));
  uploadId = null;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = null;
  $("#upload-preview").hidden = true;
  if (!file) return;
  const data = new FormData();
  data.append("file", file);
  try {
    const answer = await call("POST", "/uploads", { body: data });
    uploadId = answer.id;
    previewUrl = URL.createObjectURL(file);
    $("#upload-preview img").src = previewUrl;
    $("#upload-preview").hidden = false;
  } catch (error) {
    form.elements.image.value = "";
    showErrors($(".source", form), error.errors?.length ? error : { errors: [{ field: slot, message: error.detail }] });
  }
  estimateSoon();
}

async function loadModels() {
  if (modelsLoaded) return;
  try {
    const { models } = await call("GET", "/models");
    const select = form.elements.model_id;
    for (const model of models.filter((candidate) => candidate.usable_as_model_id)) {
      const label = model.is_available ? model.name : `${model.name} (needs ${model.requires})`;
      select.append(h("option", { value: model.id, disabled: !model.is_available, title: model.description }, label));
    }
    modelsLoaded = true;
  } catch {
    // the default model still works; the list is tried again next time
  }
}

async function submit(event) {
  event.preventDefault();
  const button = $("#create-submit");
  clearErrors(form);
  button.disabled = true;
  idempotencyKey ??= randomKey();
  try {
    const job = await call("POST", "/jobs", { body: jobBody(), headers: { "Idempotency-Key": idempotencyKey } });
    idempotencyKey = null;
    location.hash = `#/jobs/${job.id}`;
  } catch (error) {
    // the key stays for sending the same body again (a lost answer creates no second job); an edit drops it
    showErrors(form, error, { "Idempotency-Key": "" });
  } finally {
    button.disabled = false;
  }
}

export function setup() {
  form = $("#create-form");
  form.addEventListener("input", (event) => {
    idempotencyKey = null;
    if (event.target.name === "resolution") syncFormat("resolution");
    if (event.target.name !== "image") estimateSoon();
  });
  form.addEventListener("change", (event) => {
    idempotencyKey = null;
    if (event.target.name === "format") syncFormat("format");
    if (event.target.name === "image") upload(event.target.files[0]);
    syncVisibility();
    if (event.target.name !== "image") estimateSoon();
  });
  $("#upload-clear").addEventListener("click", () => {
    form.elements.image.value = "";
    upload(null);
  });
  form.addEventListener("submit", submit);
  syncVisibility();
}

export async function enter() {
  document.title = "New video · Reelforge studio";
  await loadModels();
  estimate();
}
