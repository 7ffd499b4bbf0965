// The staff sheet's page: reads the admin token from its link's
// #fragment (kept in this tab's session storage, never sent in a URL),
// fetches the sheet from `/api/conference/sheet` with it, and shows the
// sheet (a whole A4 HTML page, protocol/README.md section 17.6) in place
// of itself, with a Print button that does not print.

import { pageInfo, onLinkChange } from "./floor.js";
import { t, applyStrings, langTag, LANGUAGES, lang } from "./strings.js";

const info = pageInfo();
applyStrings();

/** The style of the page's own controls on the sheet (the sheet's own
 *  style is inline, which this page's policy allows). */
const TOOLS_STYLE = `
.sheet-tools { max-inline-size: 186mm; margin: 6mm auto 0; display: flex; gap: 4mm; align-items: center; }
.sheet-tools button { font: inherit; font-weight: 600; padding: 2mm 6mm; border: 0; border-radius: 1.5mm; background: #1d1d1d; color: #fff; cursor: pointer; }
.sheet-tools button:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
@media print { .sheet-tools { display: none; } }
`;

/** Says why the sheet is not shown. */
function fail(sentence) {
  document.getElementById("sheet-state").textContent = "";
  document.getElementById("error").textContent = sentence;
  document.body.dataset.sheet = "failed";
}

/** The sentence for a refused answer. */
async function refusal(response) {
  if (response.status === 401) return t("sheet.unauthorized");
  let code = null;
  try { code = (await response.json()).error; } catch { /* not JSON */ }
  if (response.status === 404 && code === "no_conference") return t("sheet.none");
  if (response.status === 503) return t("sheet.unavailable");
  return t("sheet.failed", { reason: code || String(response.status) });
}

/** The sheet in place of this page, with a Print button on top. */
function show(html) {
  const sheet = new DOMParser().parseFromString(html, "text/html");
  const style = sheet.createElement("style");
  style.textContent = TOOLS_STYLE;
  sheet.head.append(style);
  const button = sheet.createElement("button");
  button.type = "button";
  button.textContent = t("sheet.print");
  const tools = sheet.createElement("div");
  tools.className = "sheet-tools";
  tools.lang = langTag();
  tools.dir = LANGUAGES[lang].dir;
  tools.append(button);
  // The sheet's content in one main landmark, the Print button with it.
  const main = sheet.createElement("main");
  main.append(tools, ...sheet.body.childNodes);
  sheet.body.append(main);
  const root = document.adoptNode(sheet.documentElement);
  document.replaceChild(root, document.documentElement);
  button.addEventListener("click", () => window.print());
  document.body.dataset.sheet = "shown";
}

async function load() {
  if (!info.token) return fail(t("sheet.no_token"));
  let response;
  try {
    response = await fetch(new URL("../api/conference/sheet", location.href), {
      headers: { authorization: `Bearer ${info.token}` },
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch (error) {
    return fail(t("sheet.failed", { reason: error.message }));
  }
  if (!response.ok) return fail(await refusal(response));
  show(await response.text());
}

// Another link opened over this one: the page loads again with it.
onLinkChange(() => location.reload());
load();
