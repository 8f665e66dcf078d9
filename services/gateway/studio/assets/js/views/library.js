// Past videos: GET /jobs page by page (newest first), filtered here as you type, each deletable.

import { call } from "../api.js";
import { $, formatDate, h, toast } from "../dom.js";

const PAGE = 100;
let jobs = [];
let total = 0;
let page = 0;
let thumbs = new Map();

const title = (job) => job.title || job.input.topic_text || job.input.prompt || job.input.topic || "Untitled";

function haystack(job) {
  return [title(job), job.description, job.input.script, job.input.prompt, job.input.topic, job.status, job.id]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
}

async function thumbnail(job, img) {
  if (job.status !== "completed") return;
  let url = thumbs.get(job.id);
  if (!url) {
    try {
      url = URL.createObjectURL(await call("GET", `/jobs/${job.id}/thumbnail`, { blob: true }));
      thumbs.set(job.id, url);
    } catch {
      return;
    }
  }
  img.src = url;
}

async function remove(job) {
  if (!confirm(`Delete “${title(job)}” and its files?`)) return;
  try {
    await call("DELETE", `/jobs/${job.id}`);
    jobs = jobs.filter((other) => other.id !== job.id);
    total -= 1;
    render();
    toast("Deleted");
  } catch (error) {
    toast(error.detail, true);
  }
}

function render() {
  const words = $("#library-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = jobs.filter((job) => words.every((word) => haystack(job).includes(word)));
  $("#library").replaceChildren(
    ...shown.map((job) => {
      const img = h("img", { class: "thumb", alt: "", loading: "lazy" });
      thumbnail(job, img);
      return h(
        "li",
        { class: "library-item", dataset: { id: job.id, status: job.status } },
        h("a", { href: `#/jobs/${job.id}`, class: "library-link" }, img,
          h("span", { class: "library-text" },
            h("strong", {}, title(job)),
            h("span", { class: "hint" }, `${job.status} · ${formatDate(job.created_at)}`),
          ),
        ),
        h("button", { type: "button", class: "danger small", onclick: () => remove(job) }, "Delete"),
      );
    }),
  );
  $("#library-empty").hidden = jobs.length > 0;
  $("#library-more").hidden = jobs.length >= total;
}

async function loadPage() {
  try {
    const answer = await call("GET", `/jobs?page=${page + 1}&limit=${PAGE}`);
    page += 1;
    jobs = [...jobs, ...answer.items.filter((item) => !jobs.some((job) => job.id === item.id))];
    total = answer.total;
    render();
  } catch (error) {
    toast(error.detail, true);
  }
}

export function setup() {
  $("#library-search").addEventListener("input", render);
  $("#library-more").addEventListener("click", loadPage);
}

export async function enter() {
  document.title = "Your videos · Reelforge studio";
  jobs = [];
  total = 0;
  page = 0;
  await loadPage();
}

export function leave() {
  for (const url of thumbs.values()) URL.revokeObjectURL(url);
  thumbs = new Map();
}
