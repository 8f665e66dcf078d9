// The studio's entry: one page, views behind `#/...` (sign in, new, jobs/ID, library, settings).

import { onSessionChange, signedIn, signOut } from "./api.js";
import { $, $$ } from "./dom.js";
import * as auth from "./views/auth.js";
import * as create from "./views/create.js";
import * as job from "./views/job.js";
import * as library from "./views/library.js";
import * as settings from "./views/settings.js";

const VIEWS = { auth, new: create, job, library, settings };
let current = null;

function parse(hash) {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "jobs" && parts[1]) return { name: "job", args: [decodeURIComponent(parts[1])] };
  if (parts[0] && parts[0] in VIEWS && parts[0] !== "job") return { name: parts[0], args: [] };
  return { name: "new", args: [] };
}

async function route() {
  let { name, args } = parse(location.hash);
  if (!signedIn()) name = "auth";
  else if (name === "auth") name = "new";
  if (current) current.module.leave?.();
  for (const section of $$(".view")) section.hidden = section.id !== `view-${name}`;
  $("#nav").hidden = !signedIn();
  for (const link of $$("[data-nav]")) {
    if (link.dataset.nav === name || (name === "job" && link.dataset.nav === "library")) {
      link.setAttribute("aria-current", "page");
    } else link.removeAttribute("aria-current");
  }
  current = { name, module: VIEWS[name] };
  await current.module.enter(...args);
}

for (const module of Object.values(VIEWS)) module.setup?.();
window.addEventListener("hashchange", route);
onSessionChange(() => {
  if (!signedIn() && current?.name !== "auth") route();
});
$("#sign-out").addEventListener("click", async () => {
  await signOut();
  location.hash = "#/";
  route();
});
route();
